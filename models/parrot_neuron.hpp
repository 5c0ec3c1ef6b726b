// parrot_neuron: repeats every incoming spike once, with the incoming multiplicity (spec §3).
#pragma once

#include "engine/node_model.hpp"

namespace nestling {

class ParrotNeuron final : public NodeGroup {
 public:
  struct Prototype {};
  static constexpr NodeKind node_kind = NodeKind::neuron;
  static std::vector<ParamSpec> parameter_specs() { return {}; }
  static void apply(Prototype&, const Dict& d, const std::string& model);
  static Dict describe(const Prototype&) { return {}; }
  static std::string documentation();
  static std::vector<std::string> recordable_names() { return {}; }
  static Dict receptor_type_names() { return {}; }

  ParrotNeuron(const NodeModel& model, NodeId first, std::size_t n, const Prototype&, const VpLayout& layout);

  NodeKind kind() const override { return node_kind; }
  void set_status(std::size_t i, const Dict& d) override;
  Dict get_status(std::size_t i) const override;
  // Buffer 0 counts spikes on receptor 0; receptor 1 is accepted and ignored (STDP protocols).
  int num_buffers() const override { return 2; }
  int spike_buffer(long receptor) const override;
  std::uint8_t count_mask() const override { return 0b11; }
  void init_buffers() override;
  void update(UpdateContext& ctx, std::size_t begin, std::size_t end) override;
  std::size_t state_bytes() const override { return last_spike_.capacity() * sizeof(step_t); }
  std::size_t state_nodes() const override { return last_spike_.size(); }

 private:
  std::vector<step_t> last_spike_;
};

}  // namespace nestling
