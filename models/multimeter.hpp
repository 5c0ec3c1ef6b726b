// multimeter: samples recordables of the nodes it connects to (NEST 2.20, spec §5.5).
#pragma once

#include "engine/recorder_group.hpp"

namespace nestling {

class Multimeter final : public RecorderGroup {
 public:
  using Prototype = RecorderParameters;
  static constexpr NodeKind node_kind = NodeKind::recorder;
  static constexpr RecordKind record_kind_v = RecordKind::samples;
  static Prototype defaults();
  static std::vector<ParamSpec> parameter_specs() { return specs(record_kind_v); }
  static void apply(Prototype& p, const Dict& d, const std::string& model) {
    apply_defaults(p, d, model, record_kind_v);
  }
  static Dict describe(const Prototype& p) { return describe_defaults(p, record_kind_v); }
  static std::string documentation();
  static std::vector<std::string> recordable_names() { return {}; }
  static Dict receptor_type_names() { return {}; }

  Multimeter(const NodeModel& model, NodeId first, std::size_t n, const Prototype& proto)
      : RecorderGroup(model, first, n, record_kind_v, proto) {}
};

}  // namespace nestling
