#include "engine/recorder_group.hpp"

#include <algorithm>

namespace nestling {

RecorderGroup::RecorderGroup(const NodeModel& model, NodeId first, std::size_t n, RecordKind kind,
                             const RecorderParameters& proto, const VpLayout& layout)
    : NodeGroup(model, first, n, layout), kind_(kind), connected_(n, 0) {
  devices_.reserve(n);
  for (std::size_t i = 0; i < n; ++i) devices_.emplace_back(kind, first + i, model.name(), proto);
}

std::vector<ParamSpec> RecorderGroup::specs(RecordKind kind) {
  auto s = recorder_binder(kind).specs();
  s.push_back({"n_events", ParamKind::integer, "", Check::non_negative,
               "number of events recorded; set to 0 to clear the memory"});
  return s;
}

void RecorderGroup::apply_defaults(RecorderParameters& p, const Dict& d, const std::string& model, RecordKind kind) {
  RecorderParameters next = p;
  std::vector<std::string> consumed;
  recorder_binder(kind).apply(next, d, "", &consumed);
  reject_unconsumed(model, d, consumed, specs(kind));
  p = std::move(next);
}

Dict RecorderGroup::describe_defaults(const RecorderParameters& p, RecordKind kind) {
  Dict d;
  recorder_binder(kind).report(p, d);
  return d;
}

void RecorderGroup::set_status(std::size_t i, const Dict& d) {
  RecordingDevice& dev = devices_[i];
  RecorderParameters next = dev.params();
  std::vector<std::string> consumed;
  recorder_binder(kind_).apply(next, d, "", &consumed);
  bool clear = false;
  if (const Value* v = d.find("n_events")) {
    if (v->as_int() != 0) throw UserError("n_events", "can only be set to 0 (which clears recorded events)");
    clear = true;
    consumed.push_back("n_events");
  }
  reject_unknown(d, consumed, specs(kind_));
  if (connected_[i] && kind_ == RecordKind::samples) {
    for (const char* key : {"interval", "offset", "record_from"})
      if (d.contains(key))
        throw UserError(key, "cannot change after the multimeter has been connected");
  }
  dev.set_params(std::move(next));
  if (clear) dev.clear_memory();
}

Dict RecorderGroup::get_status(std::size_t i) const {
  const RecordingDevice& dev = devices_[i];
  Dict d = describe_defaults(dev.params(), kind_);
  d.set("n_events", Value(static_cast<long long>(dev.n_events())));
  d.set("model", Value(model_name()));
  d.set("global_id", Value(static_cast<long long>(first_gid() + i)));
  d.set("filenames", Value(dev.files()));
  return d;
}

void RecorderGroup::reset_state() {
  for (auto& dev : devices_) dev.clear_memory();
}

}  // namespace nestling
