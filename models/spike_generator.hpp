// spike_generator: emits spikes at given times relative to its origin (NEST 2.20, spec §4.3).
#pragma once

#include "engine/node_model.hpp"
#include "engine/stimulating_device.hpp"

namespace nestling {

class SpikeGenerator final : public NodeGroup, public BinderModel<SpikeGenerator> {
 public:
  struct Parameters {
    DeviceWindow window;
    std::vector<double> spike_times;  // ms relative to origin, as given
    std::vector<double> spike_weights;
    std::vector<double> spike_multiplicities;
    bool precise_times = false;
    bool allow_offgrid_times = false;
    bool shift_now_spikes = false;
  };
  using Prototype = Parameters;
  static constexpr NodeKind node_kind = NodeKind::stimulator;
  static const ParamBinder<Parameters>& binder();
  static void apply(Prototype& p, const Dict& d, const std::string& model);  // with cross-parameter checks
  static Dict describe(const Prototype& p);
  static std::string documentation();

  SpikeGenerator(const NodeModel& model, NodeId first, std::size_t n, const Prototype& proto,
                const VpLayout& layout);

  NodeKind kind() const override { return node_kind; }
  void set_status(std::size_t i, const Dict& d) override;
  Dict get_status(std::size_t i) const override;
  void init_buffers() override;
  void calibrate(const CalibrationContext& ctx) override;
  void update(UpdateContext& ctx, std::size_t begin, std::size_t end) override;
  std::size_t state_bytes() const override;

 private:
  struct Node {
    Parameters p;
    std::vector<step_t> stamps;  // converted spike times, steps relative to origin
    bool converted = false;
    std::size_t position = 0;
    DeviceSteps steps;
  };
  // Converts spike_times to stamps with NEST's rounding rules; throws on off-grid times.
  void convert(Node& node, const std::string& where) const;
  std::vector<Node> nodes_;
};

}  // namespace nestling
