// poisson_generator: an independent Poisson train for every target (NEST 2.20, spec §4.2).
//
// The generator emits its rate each active step; every target draws its own multiplicity
// from the target node's random stream when the event is delivered.
#pragma once

#include "engine/node_model.hpp"
#include "engine/stimulating_device.hpp"

namespace nestling {

class PoissonGenerator final : public NodeGroup, public BinderModel<PoissonGenerator> {
 public:
  struct Parameters {
    DeviceWindow window;
    double rate = 0.0;  // spikes/s
  };
  using Prototype = Parameters;
  static constexpr NodeKind node_kind = NodeKind::stimulator;
  static const ParamBinder<Parameters>& binder();
  static std::string documentation();

  PoissonGenerator(const NodeModel& model, NodeId first, std::size_t n, const Prototype& proto);

  NodeKind kind() const override { return node_kind; }
  EventKind output_event() const override { return EventKind::poisson; }
  void set_status(std::size_t i, const Dict& d) override;
  Dict get_status(std::size_t i) const override { return describe(params_[i]); }
  void calibrate(const CalibrationContext& ctx) override;
  void update(UpdateContext& ctx, std::size_t begin, std::size_t end) override;
  std::size_t state_bytes() const override {
    return size() * (sizeof(Parameters) + sizeof(DeviceSteps) + sizeof(double));
  }

 private:
  std::vector<Parameters> params_;
  std::vector<DeviceSteps> steps_;
  std::vector<double> lambda_;  // expected spikes per step
};

}  // namespace nestling
