// dc_generator: a constant current while active (NEST 2.20, spec §4.4).
#pragma once

#include "engine/node_model.hpp"
#include "engine/stimulating_device.hpp"

namespace nestling {

class DcGenerator final : public NodeGroup, public BinderModel<DcGenerator> {
 public:
  struct Parameters {
    DeviceWindow window;
    double amplitude = 0.0;  // pA
  };
  using Prototype = Parameters;
  static constexpr NodeKind node_kind = NodeKind::stimulator;
  static const ParamBinder<Parameters>& binder();
  static std::string documentation();
  static std::vector<std::string> recordable_names() { return {"I"}; }

  DcGenerator(const NodeModel& model, NodeId first, std::size_t n, const Prototype& proto,
                const VpLayout& layout);

  NodeKind kind() const override { return node_kind; }
  EventKind output_event() const override { return EventKind::current; }
  void set_status(std::size_t i, const Dict& d) override;
  Dict get_status(std::size_t i) const override { return describe(params_[i]); }
  void calibrate(const CalibrationContext& ctx) override;
  void update(UpdateContext& ctx, std::size_t begin, std::size_t end) override;
  std::size_t state_bytes() const override {
    return size() * (sizeof(Parameters) + sizeof(DeviceSteps) + sizeof(double));
  }
  const std::vector<std::string>& recordables() const override;
  double recordable_value(std::size_t i, int) const override { return current_[i]; }

 private:
  std::vector<Parameters> params_;
  std::vector<DeviceSteps> steps_;
  std::vector<double> current_;  // the recordable I of the last step
};

}  // namespace nestling
