// sinusoidal_poisson_generator: Poisson trains with a sinusoidally modulated rate (NEST 2.20,
// nest-2.20 spec §4.7, mc-sleep spec §4).
//
// Rate at the step starting at T: r = max(0, rate + amplitude·sin(ω·(T+1)·h + φ)), in absolute
// time. As in NEST, a rotating oscillator gives the sine: it is set from the kernel time at every
// Simulate (so parameter changes act from the next Simulate, still referenced to t = 0) and
// turned by ω·h every step, active or not. The activity window is poisson_generator's.
//
// individual_spike_trains (model-level, set by SetDefaults/CopyModel only):
//   true  — every target draws its own count n ~ Poisson(r·h) from its node stream;
//   false — one count per step from the generator's own node stream, sent to all targets as a
//           spike of multiplicity n (NEST's generator then has proxies: a stateful synapse
//           sees n spikes).
#pragma once

#include "engine/node_model.hpp"
#include "engine/rng.hpp"
#include "engine/stimulating_device.hpp"

namespace nestling {

struct SinusoidalPoissonParameters {
  DeviceWindow window;
  double rate = 0.0;       // spikes/s, mean
  double amplitude = 0.0;  // spikes/s
  double frequency = 0.0;  // Hz
  double phase = 0.0;      // degrees
  bool individual_spike_trains = true;
};

class SinusoidalPoissonGenerator final
    : public StimulatorGroup<SinusoidalPoissonGenerator, SinusoidalPoissonParameters> {
 public:
  using Parameters = SinusoidalPoissonParameters;
  static const ParamBinder<Parameters>& binder();
  static std::string documentation();
  static std::vector<std::string> recordable_names() { return {"rate"}; }

  SinusoidalPoissonGenerator(const NodeModel& model, NodeId first, std::size_t n, const Prototype& proto,
                const VpLayout& layout);

  EventKind output_event() const override { return individual_ ? EventKind::poisson : EventKind::spike; }
  bool has_proxies() const override { return !individual_; }
  void set_status(std::size_t i, const Dict& d) override;
  void calibrate(const CalibrationContext& ctx) override;
  void update(UpdateContext& ctx, std::size_t begin, std::size_t end) override;
  std::size_t state_bytes() const override;
  const std::vector<std::string>& recordables() const override;
  double recordable_value(std::size_t i, int) const override { return 1000.0 * oscillators_[i].rate; }

 private:
  // NEST's state, in its internal units (spikes/ms, radians).
  struct Oscillator {
    double y0 = 0.0, y1 = 0.0;          // amplitude·(cos, sin) of the phase at the current step's end
    double step_sin = 0.0, step_cos = 1.0;  // rotation by ω·h
    double mean = 0.0;                  // rate, spikes/ms
    double rate = 0.0;                  // rectified rate of the last step, spikes/ms
  };

  const bool individual_;  // the model's setting, the same for every node of the group
  std::vector<Oscillator> oscillators_;
  std::vector<Rng> streams_;  // shared trains only: each generator's own stream
};

}  // namespace nestling
