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

PoissonGenerator::PoissonGenerator(const NodeModel& model, NodeId first, std::size_t n, const Prototype& proto)
    : NodeGroup(model, first, n), params_(n, proto), steps_(n), lambda_(n, 0.0) {}

void PoissonGenerator::set_status(std::size_t i, const Dict& d) { apply(params_[i], d, model_name()); }

void PoissonGenerator::calibrate(const CalibrationContext& ctx) {
  for (std::size_t i = 0; i < size(); ++i) {
    params_[i].window.check(*ctx.grid, model_name());
    steps_[i].calibrate(params_[i].window, *ctx.grid);
    if (!std::isfinite(params_[i].rate) || params_[i].rate > 1e12)
      throw UserError(model_name() + "/rate", "must be a finite rate up to 1e12 spikes/s, got " +
                                                  format_number(params_[i].rate));
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
