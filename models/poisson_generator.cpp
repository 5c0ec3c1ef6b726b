#include "models/poisson_generator.hpp"

#include <cmath>

namespace nestling {

const ParamBinder<PoissonGenerator::Parameters>& PoissonGenerator::binder() {
  using P = Parameters;
  static const ParamBinder<P> b = [] {
    ParamBinder<P> x;
    DeviceWindow::bind(x, &P::window);
    x.real("rate", &P::rate, "spikes/s", Check::non_negative, "mean firing rate of each target's train");
    return x;
  }();
  return b;
}

std::string PoissonGenerator::documentation() {
  return "Sends every target its own Poisson spike train of the given rate. As in NEST 2.20, spikes lie in "
         "(origin+start+h, origin+stop+h].";
}

PoissonGenerator::PoissonGenerator(const NodeModel& model, NodeId first, std::size_t n, const Prototype& proto,
                                   const VpLayout& layout)
    : StimulatorGroup(model, first, n, proto, layout), lambda_(n, 0.0) {}

void PoissonGenerator::check_rate(double spikes_per_s, const std::string& path) {
  if (!std::isfinite(spikes_per_s) || spikes_per_s > 1e12)
    throw UserError(path, "must be a finite rate up to 1e12 spikes/s, got " + format_number(spikes_per_s));
}

void PoissonGenerator::calibrate(const CalibrationContext& ctx) {
  calibrate_windows(*ctx.grid);
  for (std::size_t i = 0; i < size(); ++i) {
    check_rate(params_[i].rate, model_name() + "/rate");
    lambda_[i] = ctx.grid->resolution() * params_[i].rate * 1e-3;
  }
}

void PoissonGenerator::update(UpdateContext& ctx, std::size_t begin, std::size_t end) {
  for (std::size_t i = begin; i < end; ++i) {
    if (lambda_[i] <= 0.0) continue;
    for (int lag = ctx.from; lag < ctx.to; ++lag)
      if (steps_[i].spike_active(ctx.origin + lag)) ctx.emit(first_gid() + i, lag, EventKind::poisson, lambda_[i]);
  }
}

}  // namespace nestling
