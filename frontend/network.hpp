// The `network` subtree of a deNEST parameter tree, built in nestling's engine.
//
// Build order and naming follow deNEST (spec denest.md §3): models, layers (sorted by name),
// population recorders, projection recorders, projections (each sorted). Node ids therefore
// follow NEST 2.20's numbering for the same tree, so outputs compare line by line with NEST's.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/recording.hpp"
#include "frontend/params_tree.hpp"
#include "nestling/simulator.hpp"
#include "nestling/spatial.hpp"

namespace nestling::frontend {

struct NetworkLayer {
  std::string name;
  const ParamsTree* node = nullptr;
  bool input_layer = false;
  bool parrots = false;
  std::vector<std::pair<std::string, long>> populations;  // tree order, with parrot_neuron appended
  std::string stimulator;                                 // InputLayer: the stimulator population
  Dict nest_params;                                       // CreateLayer keys other than elements
  std::optional<GridLayer> grid;

  long rows() const;
  long columns() const;
  long units(const std::string& population) const;
  bool has_population(const std::string& population) const;
  // Ids of a population in id order: first + k·N + p, p = col·rows + row.
  std::vector<NodeId> ids(const std::string& population) const;
  // Populations a recorder may record: all, or only parrot_neuron for an InputLayer.
  std::vector<std::string> recordable_populations() const;
  // "layer L has no population 'P'", with a suggestion when P looks like a typo.
  std::string no_population(const std::string& population) const;
};

struct NetworkProjection {
  std::string model;  // projection model (leaf name)
  std::string source_layer;
  std::optional<std::string> source_population;
  std::string target_layer;
  std::optional<std::string> target_population;
  const ParamsTree* item_node = nullptr;  // the topology node, for errors
  std::size_t item_index = 0;
  std::string item_key;       // where in item_node's params it is listed: "projections/<index>"
  Dict nest_params;           // ConnectLayers dictionary without sources/targets (topological) or syn_spec (multisynapse)
  std::string synapse_model;  // the model connections use (a recorder copy when recorded)
  std::size_t connections = 0;
  // deNEST's MC_sleep branch: a multisynapse projection copies the pairs of existing connections
  // labelled query_label onto another synapse model (spec mc-sleep §5.1).
  bool multisynapse = false;
  long query_label = -1;
  bool make_symmetric = false;
  // The nest_params key that names the synapse model.
  const char* synapse_key() const { return multisynapse ? "model" : "synapse_model"; }

  std::string name() const;  // <model>-<src layer>-<src pop|None>-<tgt layer>-<tgt pop|None>
  auto key() const {
    return std::tie(model, source_layer, source_population, target_layer, target_population);
  }
};

struct NetworkRecorder {
  RecordKind kind = RecordKind::spikes;
  std::string model;
  std::string label;
  NodeId gid = 0;
  // population recorders
  std::string layer;
  std::string population;
  std::vector<NodeId> gids;
  // projection recorders
  std::string projection;
};

class Network {
 public:
  // Validates the `network` subtree (adding missing optional children) against the models known
  // to `sim`. Nothing is created yet.
  Network(Simulator& sim, ParamsTree& network_tree);

  // Creates models, layers, recorders and projections in the engine. Runs once.
  void create();

  const std::vector<NetworkLayer>& layers() const { return layers_; }
  const NetworkLayer& layer(const std::string& name) const;
  const NetworkLayer* find_layer(const std::string& name) const;
  // "unknown layer 'L'", with a suggestion when L looks like a typo.
  std::string unknown_layer(const std::string& name) const;
  const std::vector<NetworkProjection>& projections() const { return projections_; }
  const std::vector<NetworkRecorder>& recorders() const { return recorders_; }
  // What create() found questionable but valid (one line each, located like errors).
  const std::vector<std::string>& warnings() const { return warnings_; }
  // The tree leaf that defines a neuron, synapse or recorder model; nullptr for built-in models.
  const ParamsTree* model_node(const std::string& model) const;
  // "layer L, population P" for a node of a layer; "" for other nodes (recorders).
  std::string describe_node(NodeId node) const;
  // Synapse models nestling made for projection recorders, by the model they copy.
  std::vector<std::string> synapse_copies(const std::string& synapse_model) const;

 private:
  struct ModelLeaf {
    std::string name;
    std::string base;
    Dict nest_params;
    const ParamsTree* node;
  };
  struct ProjectionModel {
    Dict nest_params;
    const ParamsTree* node;
    bool multisynapse = false;
    long query_label = -1;
    bool make_symmetric = false;
  };
  struct PopulationRecorderItem {
    std::string model, layer, population;
    auto key() const { return std::tie(model, layer, population); }
  };
  struct ProjectionRecorderItem {
    std::string model;
    NetworkProjection projection;
    const ParamsTree* node;
  };

  // Follows copies of copies down to the built-in model they derive from.
  static std::string built_in_base(const std::vector<ModelLeaf>& models, std::string name);
  void parse_models(const ParamsTree& subtree, std::vector<ModelLeaf>& out, bool synapses);
  void parse_layers(const ParamsTree& subtree);
  void parse_projection_models(const ParamsTree& subtree);
  void parse_projections(const ParamsTree& topology);
  void parse_recorders(const ParamsTree& recorders);
  std::vector<NetworkProjection> expand_projection_item(const ParamsTree& node, const std::string& list_key,
                                                        std::size_t index, const Dict& item, bool recorder);
  void create_models(const std::vector<ModelLeaf>& leaves);
  void create_layer(NetworkLayer& layer);
  void create_multisynapse(NetworkProjection& p);
  // Node ids of a layer's population, or of all its populations (null), ascending.
  std::vector<NodeId> projection_ids(const std::string& layer, const std::optional<std::string>& population) const;
  // Refuses a network whose estimated memory exceeds this machine's, naming the layer or
  // projection that tips it over (network_memory.cpp). Creates nothing.
  void check_memory() const;
  // Warns about a negative weight onto a conductance input (NEST accepts it; it can diverge).
  void check_conductance_weights(const NetworkProjection& p);
  RecordKind recorder_kind(const std::string& model) const;

  Simulator& sim_;
  ParamsTree& tree_;
  std::vector<ModelLeaf> neuron_models_, synapse_models_, recorder_models_;
  std::map<std::string, ProjectionModel> projection_models_;
  std::vector<NetworkLayer> layers_;  // sorted by name
  std::vector<NetworkProjection> projections_;
  std::vector<PopulationRecorderItem> population_recorder_items_;
  std::vector<ProjectionRecorderItem> projection_recorder_items_;
  std::vector<NetworkRecorder> recorders_;
  std::map<std::string, std::vector<std::string>> synapse_copies_;
  std::vector<std::string> warnings_;
  bool created_ = false;
};

}  // namespace nestling::frontend
