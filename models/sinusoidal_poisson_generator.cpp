#include "models/sinusoidal_poisson_generator.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "models/poisson_generator.hpp"

namespace nestling {

const ParamBinder<SinusoidalPoissonGenerator::Parameters>& SinusoidalPoissonGenerator::binder() {
  using P = Parameters;
  static const ParamBinder<P> b = [] {
    ParamBinder<P> x;
    DeviceWindow::bind(x, &P::window);
    // NEST 2.20 checks none of these: negative values are accepted (the grating drive uses f < 0).
    x.real("rate", &P::rate, "spikes/s", Check::any, "mean rate; the rate is max(0, rate + amplitude*sin(...))")
        .real("amplitude", &P::amplitude, "spikes/s", Check::any, "amplitude of the rate modulation")
        .real("frequency", &P::frequency, "Hz", Check::any, "modulation frequency")
        .real("phase", &P::phase, "deg", Check::any, "phase of the modulation at absolute time 0")
        .boolean("individual_spike_trains", &P::individual_spike_trains,
                 "true: every target draws its own train; false: all targets share one train. Model-level: set "
                 "it with SetDefaults or CopyModel");
    return x;
  }();
  return b;
}

std::string SinusoidalPoissonGenerator::documentation() {
  return "Poisson spike trains with rate max(0, rate + amplitude*sin(2*pi*frequency*t/1000 + phase*pi/180)) spikes/s "
         "at absolute time t (ms), evaluated at the end of each step. individual_spike_trains (model-level): true "
         "gives every target its own train, false one train shared by all targets. As in NEST 2.20, spikes lie in "
         "(origin+start+h, origin+stop+h], and parameter changes take effect at the next Simulate. Recordable: rate.";
}

SinusoidalPoissonGenerator::SinusoidalPoissonGenerator(const NodeModel& model, NodeId first, std::size_t n,
                                                       const Prototype& proto, const VpLayout& layout)
    : StimulatorGroup(model, first, n, proto, layout), individual_(proto.individual_spike_trains), oscillators_(n) {}

void SinusoidalPoissonGenerator::set_status(std::size_t i, const Dict& d) {
  if (d.contains("individual_spike_trains"))
    throw UserError("individual_spike_trains",
                    "can only be set on the model (SetDefaults or CopyModel), not on a node, as in NEST");
  StimulatorGroup::set_status(i, d);
}

const std::vector<std::string>& SinusoidalPoissonGenerator::recordables() const {
  static const std::vector<std::string> names = recordable_names();
  return names;
}

std::size_t SinusoidalPoissonGenerator::state_bytes() const {
  return size() * (sizeof(Parameters) + sizeof(DeviceSteps) + sizeof(Oscillator)) + streams_.size() * sizeof(Rng);
}

void SinusoidalPoissonGenerator::calibrate(const CalibrationContext& ctx) {
  calibrate_windows(*ctx.grid);
  if (!individual_ && streams_.empty())
    for (std::size_t i = 0; i < size(); ++i)
      streams_.push_back(make_stream(ctx.seed, StreamPurpose::node, first_gid() + i));
  const double h = ctx.grid->resolution();
  const double t = ctx.grid->steps_to_ms(now());
  for (std::size_t i = 0; i < size(); ++i) {
    const Parameters& p = params_[i];
    for (auto [name, v] : {std::pair{"frequency", p.frequency}, {"phase", p.phase}})
      if (!std::isfinite(v)) throw UserError(model_name() + "/" + name, "must be finite, got " + format_number(v));
    PoissonGenerator::check_rate(std::fabs(p.rate) + std::fabs(p.amplitude), model_name() + "/rate");
    // NEST's conversions, in its order of operations, so that the phases agree to the bit.
    const double omega = p.frequency * (2.0 * std::numbers::pi / 1000.0);  // rad/ms
    const double phi = p.phase * (std::numbers::pi / 180.0);
    const double amplitude = p.amplitude / 1000.0;
    Oscillator& o = oscillators_[i];
    o.y0 = amplitude * std::cos(omega * t + phi);
    o.y1 = amplitude * std::sin(omega * t + phi);
    o.step_sin = std::sin(h * omega);
    o.step_cos = std::cos(h * omega);
    o.mean = p.rate / 1000.0;
  }
}

void SinusoidalPoissonGenerator::update(UpdateContext& ctx, std::size_t begin, std::size_t end) {
  const double h = ctx.grid->resolution();
  for (std::size_t i = begin; i < end; ++i) {
    Oscillator& o = oscillators_[i];
    for (int lag = ctx.from; lag < ctx.to; ++lag) {
      const double y0 = o.step_cos * o.y0 - o.step_sin * o.y1;  // to the end of this step
      o.y1 = o.step_sin * o.y0 + o.step_cos * o.y1;
      o.y0 = y0;
      o.rate = std::max(0.0, o.mean + o.y1);
      if (o.rate > 0.0 && steps_[i].spike_active(ctx.origin + lag)) {
        const double lambda = o.rate * h;
        if (individual_) {
          ctx.emit(first_gid() + i, lag, EventKind::poisson, lambda);
        } else if (const long n = poisson(streams_[i], lambda); n > 0) {
          ctx.emit(first_gid() + i, lag, EventKind::spike, static_cast<double>(n));
        }
      }
      if (sampled(i)) sample(ctx, i, ctx.origin + lag + 1);
    }
  }
}

}  // namespace nestling
