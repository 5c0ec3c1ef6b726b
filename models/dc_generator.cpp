#include "models/dc_generator.hpp"

namespace nestling {

const ParamBinder<DcGenerator::Parameters>& DcGenerator::binder() {
  using P = Parameters;
  static const ParamBinder<P> b = [] {
    ParamBinder<P> x;
    DeviceWindow::bind(x, &P::window);
    x.real("amplitude", &P::amplitude, "pA", Check::any, "current sent while active");
    return x;
  }();
  return b;
}

std::string DcGenerator::documentation() {
  return "Sends a constant current while active; a target sees it during (origin+start+d, origin+stop+d] "
         "for connection delay d. Recordable: I.";
}

DcGenerator::DcGenerator(const NodeModel& model, NodeId first, std::size_t n, const Prototype& proto,
                         const VpLayout& layout)
    : NodeGroup(model, first, n, layout), params_(n, proto), steps_(n), current_(n, 0.0) {}

void DcGenerator::set_status(std::size_t i, const Dict& d) { apply(params_[i], d, model_name()); }

const std::vector<std::string>& DcGenerator::recordables() const {
  static const std::vector<std::string> names = recordable_names();
  return names;
}

void DcGenerator::calibrate(const CalibrationContext& ctx) {
  for (std::size_t i = 0; i < size(); ++i) {
    params_[i].window.check(*ctx.grid, model_name());
    steps_[i].calibrate(params_[i].window, *ctx.grid);
  }
}

void DcGenerator::update(UpdateContext& ctx, std::size_t begin, std::size_t end) {
  for (std::size_t i = begin; i < end; ++i) {
    for (int lag = ctx.from; lag < ctx.to; ++lag) {
      current_[i] = 0.0;
      if (steps_[i].current_active(ctx.origin + lag)) {
        current_[i] = params_[i].amplitude;
        ctx.emit(first_gid() + i, lag, EventKind::current, params_[i].amplitude);
      }
      if (sampled(i)) sample(ctx, i, ctx.origin + lag + 1);
    }
  }
}

}  // namespace nestling
