#include "models/spike_generator.hpp"

#include <cmath>
#include <sstream>

namespace nestling {

const ParamBinder<SpikeGenerator::Parameters>& SpikeGenerator::binder() {
  using P = Parameters;
  static const ParamBinder<P> b = [] {
    ParamBinder<P> x;
    DeviceWindow::bind(x, &P::window);
    x.real_list("spike_times", &P::spike_times, "ms", "spike times relative to origin, non-decreasing")
        .real_list("spike_weights", &P::spike_weights, "", "per-spike weight factors (empty or one per spike)")
        .real_list("spike_multiplicities", &P::spike_multiplicities, "",
                   "per-spike multiplicities (empty or one per spike)")
        .boolean("precise_times", &P::precise_times, "round times up to the grid instead of requiring grid times")
        .boolean("allow_offgrid_times", &P::allow_offgrid_times, "round off-grid times up to the next step")
        .custom({"allow_offgrid_spikes", ParamKind::boolean, "", Check::any, "deprecated alias of allow_offgrid_times"},
                [](P& p, const Value& v, const std::string&) { p.allow_offgrid_times = v.as_bool(); },
                [](const P& p) { return Value(p.allow_offgrid_times); })
        .boolean("shift_now_spikes", &P::shift_now_spikes, "move a spike at the current time one step later");
    return x;
  }();
  return b;
}

namespace {
void check_parameters(const SpikeGenerator::Parameters& p, const Dict& d, const std::string& model) {
  const auto& t = p.spike_times;
  for (std::size_t i = 1; i < t.size(); ++i)
    if (t[i] < t[i - 1]) throw UserError(model + "/spike_times", "must be non-decreasing");
  if (!p.spike_weights.empty() && p.spike_weights.size() != t.size())
    throw UserError(model + "/spike_weights", "must be empty or have one entry per spike time");
  if (!p.spike_multiplicities.empty() && p.spike_multiplicities.size() != t.size())
    throw UserError(model + "/spike_multiplicities", "must be empty or have one entry per spike time");
  for (double m : p.spike_multiplicities)
    if (m < 0 || m != std::floor(m))
      throw UserError(model + "/spike_multiplicities", "must be non-negative whole numbers");
  if (d.contains("allow_offgrid_times") && d.contains("allow_offgrid_spikes"))
    throw UserError(model + "/allow_offgrid_spikes", "cannot be set together with its replacement allow_offgrid_times");
  if (p.precise_times && (p.allow_offgrid_times || p.shift_now_spikes))
    throw UserError(model + "/precise_times", "cannot be combined with allow_offgrid_times or shift_now_spikes");
}
}  // namespace

std::string SpikeGenerator::documentation() {
  return "Emits spikes at spike_times (ms, relative to origin) that lie in (origin+start, origin+stop]. "
         "Times must lie on the grid unless allow_offgrid_times or precise_times is set.";
}

void SpikeGenerator::apply(Prototype& p, const Dict& d, const std::string& model) {
  Parameters next = p;
  apply_parameters(binder(), next, d, model);
  check_parameters(next, d, model);
  p = std::move(next);
}

Dict SpikeGenerator::describe(const Prototype& p) {
  Dict d = describe_parameters(binder(), p);
  d.erase("allow_offgrid_spikes");
  return d;
}

SpikeGenerator::SpikeGenerator(const NodeModel& model, NodeId first, std::size_t n, const Prototype& proto,
                               const VpLayout& layout)
    : NodeGroup(model, first, n, layout), nodes_(n) {
  for (auto& node : nodes_) node.p = proto;
}

void SpikeGenerator::convert(Node& node, const std::string& where) const {
  const TimeGrid& g = grid();
  const auto& p = node.p;
  node.stamps.clear();
  node.stamps.reserve(p.spike_times.size());
  const step_t origin = g.ms_to_steps(p.window.origin);
  for (double t : p.spike_times) {
    if (!std::isfinite(t)) throw UserError(where + "/spike_times", "must be finite");
    step_t stamp;
    if (p.precise_times) {
      stamp = g.ms_stamp_steps(t);
    } else if (g.is_on_grid(t)) {
      stamp = g.ms_to_tics(t) / g.tics_per_step();
    } else if (p.allow_offgrid_times) {
      stamp = g.ms_stamp_steps(t);
    } else {
      std::ostringstream os;
      os << "time " << t << " ms is not a multiple of the resolution " << g.resolution()
         << " ms; set allow_offgrid_times or precise_times";
      throw UserError(where + "/spike_times", os.str());
    }
    if (stamp == 0 && !p.shift_now_spikes && g.ms_to_tics(t) == 0)
      throw UserError(where + "/spike_times", "a spike time of 0 is not allowed (set shift_now_spikes to move it)");
    if (p.shift_now_spikes && origin + stamp == now()) ++stamp;
    node.stamps.push_back(stamp);
  }
  node.converted = true;
}

void SpikeGenerator::set_status(std::size_t i, const Dict& d) {
  Node next = nodes_[i];
  apply(next.p, d, model_name());
  const bool times_set = d.contains("spike_times");
  for (const char* flag : {"precise_times", "allow_offgrid_times", "allow_offgrid_spikes", "shift_now_spikes"})
    if (d.contains(flag) && !times_set && !nodes_[i].p.spike_times.empty() &&
        d.at(flag) != describe(nodes_[i].p).at(flag == std::string("allow_offgrid_spikes") ? "allow_offgrid_times" : flag))
      throw UserError(flag, "can only be changed together with spike_times, or while no spike times are set");
  if (times_set || d.contains("origin") || !next.converted) convert(next, model_name());
  if (times_set || d.contains("spike_weights") || d.contains("spike_multiplicities") || d.contains("origin"))
    next.position = 0;
  nodes_[i] = std::move(next);
}

Dict SpikeGenerator::get_status(std::size_t i) const {
  const Node& node = nodes_[i];
  Dict d = describe(node.p);
  if (node.converted) {
    std::vector<double> times;
    for (std::size_t k = 0; k < node.stamps.size(); ++k)
      times.push_back(node.p.precise_times ? node.p.spike_times[k] : grid().steps_to_ms(node.stamps[k]));
    d.set("spike_times", Value(times));
  }
  return d;
}

std::size_t SpikeGenerator::state_bytes() const {
  std::size_t b = nodes_.capacity() * sizeof(Node);
  for (const auto& n : nodes_)
    b += (n.p.spike_times.capacity() + n.p.spike_weights.capacity() + n.p.spike_multiplicities.capacity()) *
             sizeof(double) +
         n.stamps.capacity() * sizeof(step_t);
  return b;
}

void SpikeGenerator::init_buffers() {
  for (auto& node : nodes_) node.position = 0;
}

void SpikeGenerator::calibrate(const CalibrationContext& ctx) {
  for (auto& node : nodes_) {
    node.p.window.check(*ctx.grid, model_name());
    if (!node.converted) convert(node, model_name());
    node.steps.calibrate(node.p.window, *ctx.grid);
  }
}

void SpikeGenerator::update(UpdateContext& ctx, std::size_t begin, std::size_t end) {
  const step_t first = ctx.origin + ctx.from, last = ctx.origin + ctx.to;
  for (std::size_t i = begin; i < end; ++i) {
    Node& node = nodes_[i];
    const step_t origin = ctx.grid->ms_to_steps(node.p.window.origin);
    while (node.position < node.stamps.size() && origin + node.stamps[node.position] <= first) ++node.position;
    while (node.position < node.stamps.size() && origin + node.stamps[node.position] <= last) {
      const step_t stamp = origin + node.stamps[node.position];
      if (node.steps.spike_active(stamp)) {
        const double mult = node.p.spike_multiplicities.empty() ? 1.0 : node.p.spike_multiplicities[node.position];
        const double scale = node.p.spike_weights.empty() ? 1.0 : node.p.spike_weights[node.position];
        if (mult > 0) ctx.emit(first_gid() + i, static_cast<int>(stamp - ctx.origin - 1), EventKind::spike, mult, scale);
      }
      ++node.position;
    }
  }
}

}  // namespace nestling
