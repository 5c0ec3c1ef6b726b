#include "models/step_current_generator.hpp"

#include <sstream>

namespace nestling {

const ParamBinder<StepCurrentGenerator::Parameters>& StepCurrentGenerator::binder() {
  using P = Parameters;
  static const ParamBinder<P> b = [] {
    ParamBinder<P> x;
    DeviceWindow::bind(x, &P::window);
    x.real_list("amplitude_times", &P::amplitude_times, "ms", "absolute times at which the amplitude changes")
        .real_list("amplitude_values", &P::amplitude_values, "pA", "amplitude from each time on")
        .boolean("allow_offgrid_times", &P::allow_offgrid_times, "round off-grid times up to the next step");
    return x;
  }();
  return b;
}

std::string StepCurrentGenerator::documentation() {
  return "Sends amplitude_values[k] from amplitude_times[k] on (absolute times, not shifted by origin). "
         "A target sees the change after the connection delay. Recordable: I.";
}

void StepCurrentGenerator::apply(Prototype& p, const Dict& d, const std::string& model) {
  Parameters next = p;
  apply_parameters(binder(), next, d, model);
  if (d.contains("amplitude_times") != d.contains("amplitude_values"))
    throw UserError(model + (d.contains("amplitude_times") ? "/amplitude_values" : "/amplitude_times"),
                    "amplitude_times and amplitude_values must be set together");
  if (next.amplitude_times.size() != next.amplitude_values.size())
    throw UserError(model + "/amplitude_values", "must have as many entries as amplitude_times");
  for (double t : next.amplitude_times)
    if (!(t > 0.0)) throw UserError(model + "/amplitude_times", "must be positive");
  p = std::move(next);
}

StepCurrentGenerator::StepCurrentGenerator(const NodeModel& model, NodeId first, std::size_t n, const Prototype& proto,
                                           const VpLayout& layout)
    : NodeGroup(model, first, n, layout), nodes_(n) {
  for (auto& node : nodes_) node.p = proto;
}

std::vector<step_t> StepCurrentGenerator::convert(const Parameters& p, const std::string& where) const {
  const TimeGrid& g = grid();
  std::vector<step_t> stamps;
  for (double t : p.amplitude_times) {
    step_t s;
    if (g.is_on_grid(t)) {
      s = g.ms_to_tics(t) / g.tics_per_step();
    } else if (p.allow_offgrid_times) {
      s = g.ms_stamp_steps(t);
    } else {
      std::ostringstream os;
      os << "time " << t << " ms is not a multiple of the resolution " << g.resolution()
         << " ms; set allow_offgrid_times";
      throw UserError(where + "/amplitude_times", os.str());
    }
    if (!stamps.empty() && s <= stamps.back())
      throw UserError(where + "/amplitude_times", "must be strictly increasing after rounding to the grid");
    stamps.push_back(s);
  }
  return stamps;
}

void StepCurrentGenerator::set_status(std::size_t i, const Dict& d) {
  Node next = nodes_[i];
  apply(next.p, d, model_name());
  next.stamps = convert(next.p, model_name());
  if (d.contains("amplitude_times")) next.index = 0;
  nodes_[i] = std::move(next);
}

const std::vector<std::string>& StepCurrentGenerator::recordables() const {
  static const std::vector<std::string> names = recordable_names();
  return names;
}

std::size_t StepCurrentGenerator::state_bytes() const {
  std::size_t b = nodes_.capacity() * sizeof(Node);
  for (const auto& n : nodes_)
    b += (n.p.amplitude_times.capacity() + n.p.amplitude_values.capacity()) * sizeof(double) +
         n.stamps.capacity() * sizeof(step_t);
  return b;
}

void StepCurrentGenerator::init_buffers() {
  for (auto& node : nodes_) {
    node.index = 0;
    node.amplitude = 0.0;
  }
}

void StepCurrentGenerator::calibrate(const CalibrationContext& ctx) {
  for (auto& node : nodes_) {
    node.p.window.check(*ctx.grid, model_name());
    node.stamps = convert(node.p, model_name());
    node.steps.calibrate(node.p.window, *ctx.grid);
  }
}

void StepCurrentGenerator::update(UpdateContext& ctx, std::size_t begin, std::size_t end) {
  for (std::size_t i = begin; i < end; ++i) {
    Node& node = nodes_[i];
    // Skip changes in the past: the amplitude switches one step ahead of its time.
    const step_t first = ctx.origin + ctx.from;
    while (node.index < node.stamps.size() && node.stamps[node.index] <= first) ++node.index;
    for (int lag = ctx.from; lag < ctx.to; ++lag) {
      const step_t T = ctx.origin + lag;
      node.current = 0.0;
      if (node.index < node.stamps.size() && T + 1 == node.stamps[node.index]) {
        node.amplitude = node.p.amplitude_values[node.index];
        ++node.index;
      }
      if (node.steps.current_active(T)) {
        node.current = node.amplitude;
        if (node.amplitude != 0.0) ctx.emit(first_gid() + i, lag, EventKind::current, node.amplitude);
      }
      if (sampled(i)) sample(ctx, i, T + 1);
    }
  }
}

}  // namespace nestling
