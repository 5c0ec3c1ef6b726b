#include "engine/gap_coupling.hpp"

#include <algorithm>
#include <numeric>

namespace nestling {

void GapCouplings::add(NodeId source, int model_id, std::uint32_t target, double weight) {
  source_.push_back(source);
  model_.push_back(static_cast<std::uint16_t>(model_id));
  target_.push_back(target);
  weight_.push_back(weight);
}

void GapCouplings::finalize(const std::function<const NodeGroup&(NodeId)>& group_of) {
  if (source_.empty()) return;  // nothing new
  // Sources of every coupling: those of finalized runs first (they precede in creation order).
  std::vector<NodeId> sources;
  sources.reserve(target_.size());
  for (const Run& r : runs_) sources.insert(sources.end(), r.end - r.begin, r.source);
  sources.insert(sources.end(), source_.begin(), source_.end());
  source_.clear();

  std::vector<std::uint32_t> order(sources.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return sources[a] < sources[b]; });
  auto permute = [&](auto& v) {
    auto out = v;
    for (std::size_t k = 0; k < order.size(); ++k) out[k] = v[order[k]];
    v.swap(out);
  };
  permute(model_);
  permute(target_);
  permute(weight_);

  runs_.clear();
  for (std::uint32_t k = 0; k < order.size();) {
    const NodeId s = sources[order[k]];
    std::uint32_t e = k;
    while (e < order.size() && sources[order[e]] == s) ++e;
    const NodeGroup& g = group_of(s);
    runs_.push_back({s, &g, g.index_of(s), nullptr, k, e});
    k = e;
  }
}

std::size_t GapCouplings::deliver(int min_delay, int from, const DeliveryContext& ctx) const {
  for (const Run& r : runs_) {
    const double value = r.remote ? *r.remote : r.group->gap_output(r.index);
    for (std::uint32_t k = r.begin; k < r.end; ++k) {
      double* S = ctx.gap_arena + ctx.targets[target_[k]].gap_offset;
      double* P = S + min_delay;
      const double w = weight_[k];
      for (int lag = 0; lag < min_delay; ++lag) S[lag] += w;
      for (int lag = from; lag < min_delay; ++lag) P[lag] += w * value;
    }
  }
  return target_.size();
}

void GapCouplings::resolve_remote(const std::function<bool(NodeId)>& is_remote,
                                  const std::function<const double*(NodeId)>& value) {
  for (Run& r : runs_) r.remote = is_remote(r.source) ? value(r.source) : nullptr;
}

std::vector<NodeId> GapCouplings::sources() const {
  std::vector<NodeId> out;
  out.reserve(runs_.size());
  for (const Run& r : runs_) out.push_back(r.source);
  return out;
}

std::size_t GapCouplings::bytes() const {
  return target_.size() * (sizeof(std::uint16_t) + sizeof(std::uint32_t) + sizeof(double)) +
         runs_.size() * sizeof(Run);
}

}  // namespace nestling
