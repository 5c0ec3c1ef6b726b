// poisson_generator: an independent Poisson train for every target (NEST 2.20, spec §4.2).
//
// The generator emits its rate each active step; every target draws its own multiplicity
// from the target node's random stream when the event is delivered.
#pragma once

#include "engine/node_model.hpp"
#include "engine/stimulating_device.hpp"

namespace nestling {

struct PoissonGeneratorParameters {
  DeviceWindow window;
  double rate = 0.0;  // spikes/s
};

class PoissonGenerator final : public StimulatorGroup<PoissonGenerator, PoissonGeneratorParameters> {
 public:
  using Parameters = PoissonGeneratorParameters;
  static const ParamBinder<Parameters>& binder();
  static std::string documentation();
  // Refuses rates a Poisson draw per step cannot handle (NEST checks nothing beyond rate >= 0).
  static void check_rate(double spikes_per_s, const std::string& path);

  PoissonGenerator(const NodeModel& model, NodeId first, std::size_t n, const Prototype& proto,
                const VpLayout& layout);

  EventKind output_event() const override { return EventKind::poisson; }
  void calibrate(const CalibrationContext& ctx) override;
  void update(UpdateContext& ctx, std::size_t begin, std::size_t end) override;
  std::size_t state_bytes() const override {
    return size() * (sizeof(Parameters) + sizeof(DeviceSteps) + sizeof(double));
  }

 private:
  std::vector<double> lambda_;  // expected spikes per step
};

}  // namespace nestling
