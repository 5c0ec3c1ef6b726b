// step_current_generator: a piecewise constant current (NEST 2.20, spec §4.5).
//
// amplitude_times are absolute simulation times: origin does not shift them (NEST issue
// #277); origin, start and stop only window the output.
#pragma once

#include "engine/node_model.hpp"
#include "engine/stimulating_device.hpp"

namespace nestling {

class StepCurrentGenerator final : public NodeGroup, public BinderModel<StepCurrentGenerator> {
 public:
  struct Parameters {
    DeviceWindow window;
    std::vector<double> amplitude_times;   // ms
    std::vector<double> amplitude_values;  // pA
    bool allow_offgrid_times = false;
  };
  using Prototype = Parameters;
  static constexpr NodeKind node_kind = NodeKind::stimulator;
  static const ParamBinder<Parameters>& binder();
  static void apply(Prototype& p, const Dict& d, const std::string& model);  // with cross-parameter checks
  static std::string documentation();
  static std::vector<std::string> recordable_names() { return {"I"}; }

  StepCurrentGenerator(const NodeModel& model, NodeId first, std::size_t n, const Prototype& proto,
                const VpLayout& layout);

  NodeKind kind() const override { return node_kind; }
  EventKind output_event() const override { return EventKind::current; }
  void set_status(std::size_t i, const Dict& d) override;
  Dict get_status(std::size_t i) const override { return describe(nodes_[i].p); }
  void init_buffers() override;
  void calibrate(const CalibrationContext& ctx) override;
  void update(UpdateContext& ctx, std::size_t begin, std::size_t end) override;
  std::size_t state_bytes() const override;
  const std::vector<std::string>& recordables() const override;
  double recordable_value(std::size_t i, int) const override { return nodes_[i].current; }

 private:
  struct Node {
    Parameters p;
    std::vector<step_t> stamps;
    DeviceSteps steps;
    std::size_t index = 0;
    double amplitude = 0.0;  // the amplitude in force
    double current = 0.0;    // recordable I
  };
  std::vector<step_t> convert(const Parameters& p, const std::string& where) const;
  std::vector<Node> nodes_;
};

}  // namespace nestling
