#include "engine/synapse.hpp"

namespace nestling {

namespace {
ParamBinder<SynapseCommon> make_common_binder(bool labelled) {
  ParamBinder<SynapseCommon> x;
  {
    x.real("weight", &SynapseCommon::weight, "", Check::any, "default weight of new connections")
        .real("delay", &SynapseCommon::delay, "ms", Check::positive,
              "default delay of new connections; rounded to whole steps, at least one step")
        .integer("receptor_type", &SynapseCommon::receptor_type, "", Check::non_negative,
                 "receptor port of the target that new connections use")
        .integer("weight_recorder", &SynapseCommon::weight_recorder, "", Check::any,
                 "id of a weight_recorder that records every transmitted event, -1 for none");
    if (labelled)
      x.integer("synapse_label", &SynapseCommon::synapse_label, "", Check::any,
                "a label that selects connections (no effect on dynamics)");
  }
  return x;
}

const ParamBinder<SynapseCommon>& common_binder(bool labelled) {
  static const ParamBinder<SynapseCommon> plain = make_common_binder(false);
  static const ParamBinder<SynapseCommon> with_label = make_common_binder(true);
  return labelled ? with_label : plain;
}
}  // namespace

std::vector<ParamSpec> SynapseModel::parameters() const {
  auto out = common_binder(labelled_).specs();
  if (secondary()) std::erase_if(out, [](const ParamSpec& s) { return s.name == "delay"; });
  for (auto& s : specific_parameters()) out.push_back(s);
  return out;
}

Dict SynapseModel::defaults() const {
  Dict d;
  common_binder(labelled_).report(common_, d);
  if (secondary()) d.erase("delay");
  specific_defaults(d);
  return d;
}

void SynapseModel::set_defaults(const Dict& d, bool has_connections) {
  if (secondary() && d.contains("delay")) throw UserError("delay", name() + " connections have no delay");
  // Unknown keys first, so that nothing is committed when one is present.
  const auto valid = parameters();
  std::vector<std::string> known;
  for (const auto& [k, v] : d)
    for (const auto& s : valid)
      if (s.name == k) known.push_back(k);
  reject_unconsumed(name(), d, known, valid);

  SynapseCommon next = common_;
  std::vector<std::string> consumed;
  common_binder(labelled_).apply(next, d, "", &consumed);
  if (has_connections && next.weight_recorder != common_.weight_recorder)
    throw UserError("weight_recorder", "cannot change on synapse model " + name() +
                                           " once connections of it exist; make a copy of the model instead");
  Dict rest;
  for (const auto& [k, v] : d)
    if (std::find(consumed.begin(), consumed.end(), k) == consumed.end()) rest.set(k, v);
  apply_specific(rest, has_connections);  // validates, then commits its own part
  common_ = next;
}

}  // namespace nestling
