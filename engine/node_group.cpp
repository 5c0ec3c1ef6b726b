#include "engine/node_group.hpp"

#include <algorithm>
#include <iomanip>
#include <sstream>

#include "engine/node_model.hpp"
#include "nestling/errors.hpp"

namespace nestling {

NodeGroup::NodeGroup(const NodeModel& model, NodeId first, std::size_t n, const VpLayout& layout)
    : model_(&model), first_(first), n_(n) {
  set_layout(layout);
}

NodeGroup::~NodeGroup() = default;

const std::string& NodeGroup::model_name() const { return model_->name(); }

int NodeGroup::spike_buffer(long receptor) const {
  throw UserError("receptor_type", "model " + model_name() + " does not accept spikes on receptor " +
                                       std::to_string(receptor));
}

int NodeGroup::current_buffer(long receptor) const {
  throw UserError("receptor_type", "model " + model_name() + " does not accept currents on receptor " +
                                       std::to_string(receptor));
}

const std::vector<std::string>& NodeGroup::recordables() const {
  static const std::vector<std::string> none;
  return none;
}

double NodeGroup::recordable_value(std::size_t, int) const { return 0.0; }

void NodeGroup::integration_failed(const UpdateContext& ctx, std::size_t i, int lag, const ode::IntegrationFailure& f,
                                   std::span<const char* const> state_names) const {
  using Reason = ode::IntegrationFailure::Reason;
  std::ostringstream why;
  why << std::setprecision(3);
  switch (f.reason) {
    case Reason::too_many_substeps:
      why << "the integration took more than " << f.substeps << " sub-steps within one " << f.interval
          << " ms step (the step size fell to " << f.step << " ms)";
      break;
    case Reason::step_underflow:
      why << "the integration step size fell to " << f.step << " ms, too small to advance time";
      break;
    case Reason::not_finite:
      why << "the state overflows (is not a finite number) however short the step";
      break;
  }
  std::string variable = "#";  // built piecewise: GCC 12 warns falsely on "#" + std::to_string
  if (f.component < state_names.size())
    variable = state_names[f.component];
  else
    variable += std::to_string(f.component);
  const double time = ctx.grid->steps_to_ms(ctx.origin + lag) + f.t;
  throw IntegrationError(first_gid() + i, model().base_name(), time, variable, f.value, why.str());
}

void NodeGroup::set_layout(const VpLayout& layout) {
  // The n % V larger chunks start at `first_vp`, so that groups smaller than the number of
  // virtual processes (a node at a time) spread over them.
  const int n_virtual = layout.n_virtual, first_vp = layout.first_vp, vp_offset = layout.vp_offset;
  const int local_threads = layout.local_threads < 0 ? n_virtual : layout.local_threads;
  if (n_virtual < 1 || vp_offset < 0 || local_threads < 1 || vp_offset + local_threads > n_virtual)
    throw InternalError("NodeGroup::set_layout: inconsistent virtual processes");
  const auto vps = static_cast<std::size_t>(n_virtual);
  const std::size_t base = n_ / vps, extra = n_ % vps;
  chunk_begin_.assign(vps + 1, 0);
  for (std::size_t v = 0; v < vps; ++v) {
    const std::size_t rank = (v + vps - static_cast<std::size_t>(first_vp) % vps) % vps;
    chunk_begin_[v + 1] = chunk_begin_[v] + base + (rank < extra ? 1 : 0);
  }
  vp_offset_ = vp_offset;
  local_threads_ = local_threads;
  local_begin_ = chunk_begin_[static_cast<std::size_t>(vp_offset)];
  local_end_ = chunk_begin_[static_cast<std::size_t>(vp_offset + local_threads)];
  local_base_.assign(static_cast<std::size_t>(local_threads), 0);
  arena_offset_.assign(static_cast<std::size_t>(local_threads), 0);
  gap_offset_.assign(static_cast<std::size_t>(local_threads), 0);
}

int NodeGroup::vp_of(std::size_t i) const {
  auto it = std::upper_bound(chunk_begin_.begin(), chunk_begin_.end(), i);
  return static_cast<int>(it - chunk_begin_.begin()) - 1;
}

int NodeGroup::thread_of(std::size_t i) const {
  const int t = vp_of(i) - vp_offset_;
  return t >= 0 && t < local_threads_ ? t : -1;
}

void NodeGroup::add_sampling(std::size_t i, const SamplingRequest& request) {
  if (!is_local(i)) return;  // the process owning the node samples it
  if (sampled_.empty()) {
    sampled_.assign(local_size(), 0);
    node_requests_.resize(local_size());
  }
  std::size_t r = 0;
  for (; r < requests_.size(); ++r) {
    const auto& q = requests_[r];
    if (q.recorder_index == request.recorder_index && q.interval == request.interval &&
        q.offset == request.offset && q.recordables == request.recordables)
      break;
  }
  if (r == requests_.size()) requests_.push_back(request);
  auto& mine = node_requests_[i - local_begin()];
  if (std::find(mine.begin(), mine.end(), static_cast<std::uint16_t>(r)) == mine.end())
    mine.push_back(static_cast<std::uint16_t>(r));
  sampled_[i - local_begin()] = 1;
}

void NodeGroup::clear_sampling() {
  sampled_.clear();
  requests_.clear();
  node_requests_.clear();
}

void NodeGroup::sample(const UpdateContext& ctx, std::size_t i, step_t stamp) const {
  for (std::uint16_t r : node_requests_[i - local_begin()]) {
    const SamplingRequest& q = requests_[r];
    if (!q.due(stamp)) continue;
    auto& buf = ctx.samples->buffer(q.recorder_index);
    buf.senders.push_back(first_ + i);
    buf.stamps.push_back(stamp);
    for (int which : q.recordables) buf.values.push_back(recordable_value(i, which));
  }
}

void NodeGroup::reject_unknown(const Dict& d, const std::vector<std::string>& consumed,
                               const std::vector<ParamSpec>& valid) const {
  reject_unconsumed(model_name(), d, consumed, valid);
}

}  // namespace nestling
