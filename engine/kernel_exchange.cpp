// Kernel: what the processes of a distributed run exchange (spikes, gap-junction values) and
// how they agree to go on or stop. A single process never calls these.
#include <algorithm>

#include "engine/kernel.hpp"
#include "nestling/errors.hpp"

namespace nestling {

bool Kernel::agree_to_continue(bool failed_here, bool& stop_now) {
  // A stop is taken at slice boundaries only, where every process stands at the same step.
  const bool stop_here = from_step_ == 0 && stop_requested_.exchange(false, std::memory_order_relaxed);
  std::int64_t flags[2] = {failed_here ? 1 : 0, stop_here ? 1 : 0};
  comm_.max(flags);
  stop_now = flags[1] != 0;
  return flags[0] == 0 || failed_here;
}

void Kernel::exchange_slice() {
  // This process's emissions in canonical order: the registers are sorted and a source emits
  // from one thread only, so a stable sort of their concatenation is their merge.
  std::vector<Emission> mine;
  for (const auto& t : threads_) mine.insert(mine.end(), t->emissions.begin(), t->emissions.end());
  std::stable_sort(mine.begin(), mine.end(), emission_before);
  // Every process's list is sorted and no source sends from two processes: a stable sort of the
  // concatenation in rank order is the order a single process would deliver in.
  global_emissions_ = comm_.all_gather_values(mine);
  std::stable_sort(global_emissions_.begin(), global_emissions_.end(), emission_before);

  if (!has_gaps_) return;  // the same on every process: each made the same connect calls
  std::vector<double> values;
  values.reserve(gap_exports_.size());
  for (NodeId id : gap_exports_) {
    const NodeGroup& g = group_of(id);
    values.push_back(g.gap_output(g.index_of(id)));
  }
  const std::vector<double> received = comm_.all_gather_values(values);
  if (received.size() != gap_values_.size()) throw InternalError("gap-junction exchange: sizes differ");
  std::copy(received.begin(), received.end(), gap_values_.begin());  // addresses stay: the couplings point here
}

void Kernel::plan_gap_exchange() {
  // Sources this process's couplings read from other processes, then their union over processes.
  std::vector<NodeId> needed;
  auto is_remote = [this](NodeId id) {
    const NodeGroup& g = group_of(id);
    return !g.is_local(g.index_of(id));
  };
  for (const auto& t : threads_)
    for (NodeId s : t->gaps.sources())
      if (is_remote(s)) needed.push_back(s);
  std::sort(needed.begin(), needed.end());
  needed.erase(std::unique(needed.begin(), needed.end()), needed.end());
  std::vector<NodeId> wanted = comm_.all_gather_values(needed);
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  gap_exports_.clear();
  for (NodeId id : wanted)
    if (!is_remote(id)) gap_exports_.push_back(id);
  // Values arrive as every process's exports in rank order.
  gap_imports_ = comm_.all_gather_values(gap_exports_);
  gap_values_.assign(gap_imports_.size(), 0.0);
  std::vector<std::pair<NodeId, std::size_t>> position(gap_imports_.size());
  for (std::size_t k = 0; k < gap_imports_.size(); ++k) position[k] = {gap_imports_[k], k};
  std::sort(position.begin(), position.end());
  auto value_of = [&](NodeId id) -> const double* {
    auto it = std::lower_bound(position.begin(), position.end(), std::make_pair(id, std::size_t{0}));
    if (it == position.end() || it->first != id) throw InternalError("gap-junction source " + std::to_string(id) + " is not exchanged");
    return &gap_values_[it->second];
  };
  for (auto& t : threads_) t->gaps.resolve_remote(is_remote, value_of);
}

}  // namespace nestling
