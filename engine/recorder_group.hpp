// Base of the recorder models (spike_detector, multimeter, weight_recorder): a group of
// RecordingDevices driven by the kernel rather than by update().
#pragma once

#include <vector>

#include "engine/node_model.hpp"
#include "engine/recording.hpp"

namespace nestling {

class RecorderGroup : public NodeGroup {
 public:
  RecorderGroup(const NodeModel& model, NodeId first, std::size_t n, RecordKind kind,
                const RecorderParameters& proto, const VpLayout& layout);

  NodeKind kind() const override { return NodeKind::recorder; }
  EventKind output_event() const override { return EventKind::none; }
  RecordKind record_kind() const { return kind_; }
  RecordingDevice& device(std::size_t i) { return devices_[i]; }
  const RecordingDevice& device(std::size_t i) const { return devices_[i]; }

  void set_status(std::size_t i, const Dict& d) override;
  Dict get_status(std::size_t i) const override;
  void update(UpdateContext&, std::size_t, std::size_t) override {}
  void reset_state() override;

  // A multimeter's sampling parameters cannot change once it is connected (as in NEST).
  void mark_connected(std::size_t i) { connected_[i] = 1; }

  // Helpers for the recorder models' static model interface.
  static std::vector<ParamSpec> specs(RecordKind kind);
  static void apply_defaults(RecorderParameters& p, const Dict& d, const std::string& model, RecordKind kind);
  static Dict describe_defaults(const RecorderParameters& p, RecordKind kind);

 private:
  RecordKind kind_;
  std::vector<RecordingDevice> devices_;
  std::vector<std::uint8_t> connected_;
};

// The model interface of one kind of recorder. Each recorder model (models/spike_detector.cpp,
// multimeter.cpp, weight_recorder.cpp) defines its defaults() and documentation().
template <RecordKind K>
class RecorderOf final : public RecorderGroup {
 public:
  using Prototype = RecorderParameters;
  static constexpr NodeKind node_kind = NodeKind::recorder;
  static Prototype defaults();
  static std::string documentation();
  static std::vector<ParamSpec> parameter_specs() { return specs(K); }
  static void apply(Prototype& p, const Dict& d, const std::string& model) { apply_defaults(p, d, model, K); }
  static Dict describe(const Prototype& p) { return describe_defaults(p, K); }
  static std::vector<std::string> recordable_names() { return {}; }
  static Dict receptor_type_names() { return {}; }

  RecorderOf(const NodeModel& model, NodeId first, std::size_t n, const Prototype& proto, const VpLayout& layout)
      : RecorderGroup(model, first, n, K, proto, layout) {}
};

}  // namespace nestling
