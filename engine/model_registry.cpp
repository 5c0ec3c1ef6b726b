#include "engine/model_registry.hpp"

#include <algorithm>

#include "engine/suggest.hpp"
#include "nestling/errors.hpp"

namespace nestling {

namespace {
std::string listing(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}
}  // namespace

void ModelRegistry::add(std::unique_ptr<NodeModel> model) {
  if (has(model->name())) throw UserError(model->name(), "a model of this name exists already");
  nodes_.push_back(std::move(model));
}

void ModelRegistry::add(std::unique_ptr<SynapseModel> model) {
  if (has(model->name())) throw UserError(model->name(), "a model of this name exists already");
  model->set_id(static_cast<int>(synapses_.size()));
  synapses_.push_back(std::move(model));
}

NodeModel* ModelRegistry::find_node(const std::string& name) const {
  for (const auto& m : nodes_)
    if (m->name() == name) return m.get();
  return nullptr;
}

SynapseModel* ModelRegistry::find_synapse(const std::string& name) const {
  for (const auto& m : synapses_)
    if (m->name() == name) return m.get();
  return nullptr;
}

NodeModel& ModelRegistry::node_model(const std::string& name) const {
  if (NodeModel* m = find_node(name)) return *m;
  if (find_synapse(name)) throw UserError(name, "is a synapse model, not a node model");
  throw UserError(name, "unknown node model" + did_you_mean(name, node_model_names()) +
                            "; known models: " + listing(node_model_names()));
}

SynapseModel& ModelRegistry::synapse_model(const std::string& name) const {
  if (SynapseModel* m = find_synapse(name)) return *m;
  if (find_node(name)) throw UserError(name, "is a node model, not a synapse model");
  throw UserError(name, "unknown synapse model" + did_you_mean(name, synapse_model_names()) +
                            "; known synapse models: " + listing(synapse_model_names()));
}

void ModelRegistry::copy_model(const std::string& base, const std::string& name, const Dict& params) {
  if (name.empty()) throw UserError(base, "the new model needs a name");
  if (has(name)) throw UserError(name, "cannot copy " + base + " to " + name + ": a model of this name exists already");
  if (NodeModel* n = find_node(base)) {
    auto copy = n->copy(name);
    try {
      copy->set_defaults(params);
    } catch (const UserError& e) {
      throw e.with_prefix(name);
    }
    nodes_.push_back(std::move(copy));
    return;
  }
  if (SynapseModel* s = find_synapse(base)) {
    auto copy = s->copy(name);
    try {
      copy->set_defaults(params, false);
    } catch (const UserError& e) {
      throw e.with_prefix(name);
    }
    copy->set_id(static_cast<int>(synapses_.size()));
    synapses_.push_back(std::move(copy));
    return;
  }
  auto all = node_model_names();
  const auto synapses = synapse_model_names();
  all.insert(all.end(), synapses.begin(), synapses.end());
  throw UserError(base, "unknown model" + did_you_mean(base, all) + "; known models: " + listing(all));
}

std::vector<std::string> ModelRegistry::node_model_names() const {
  std::vector<std::string> v;
  for (const auto& m : nodes_) v.push_back(m->name());
  return v;
}

std::vector<std::string> ModelRegistry::synapse_model_names() const {
  std::vector<std::string> v;
  for (const auto& m : synapses_) v.push_back(m->name());
  return v;
}

}  // namespace nestling
