// Every model the kernel knows, by name: node models and synapse models share one name space,
// as in NEST, so a copy cannot shadow a model of the other kind.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/node_model.hpp"
#include "engine/synapse.hpp"

namespace nestling {

class ModelRegistry {
 public:
  void add(std::unique_ptr<NodeModel> model);
  void add(std::unique_ptr<SynapseModel> model);

  bool has_node_model(const std::string& name) const { return find_node(name) != nullptr; }
  bool has_synapse_model(const std::string& name) const { return find_synapse(name) != nullptr; }
  bool has(const std::string& name) const { return has_node_model(name) || has_synapse_model(name); }

  // Throw UserError naming the model and listing the known ones when absent.
  NodeModel& node_model(const std::string& name) const;
  SynapseModel& synapse_model(const std::string& name) const;
  SynapseModel& synapse_model(int id) const { return *synapses_.at(static_cast<std::size_t>(id)); }
  std::size_t synapse_model_count() const { return synapses_.size(); }

  // NEST's CopyModel: a new model `name` with the defaults of `base` changed by `params`.
  void copy_model(const std::string& base, const std::string& name, const Dict& params);

  std::vector<std::string> node_model_names() const;
  std::vector<std::string> synapse_model_names() const;

 private:
  NodeModel* find_node(const std::string& name) const;
  SynapseModel* find_synapse(const std::string& name) const;
  std::vector<std::unique_ptr<NodeModel>> nodes_;
  std::vector<std::unique_ptr<SynapseModel>> synapses_;
};

}  // namespace nestling
