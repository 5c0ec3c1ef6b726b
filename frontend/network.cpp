// Parsing and validation of the `network` subtree. Creation is in network_create.cpp.
#include "frontend/network.hpp"

#include <algorithm>
#include <set>

#include "engine/kernel.hpp"
#include "engine/suggest.hpp"
#include "frontend/tree_schema.hpp"

namespace nestling::frontend {

namespace {

const std::vector<std::string> kNetworkChildren = {"neuron_models", "synapse_models", "recorder_models", "layers",
                                                   "projection_models", "topology", "recorders"};

// The projection models subtree: deNEST's predecessor called it "connection_models".
ParamsTree* projection_models_subtree(ParamsTree& network) {
  if (ParamsTree* old = network.child("connection_models")) {
    if (network.child("projection_models"))
      tree_error(*old, "", "", "give either projection_models or its older name connection_models, not both");
    return old;
  }
  return network.child("projection_models");
}

std::string population_text(const std::optional<std::string>& p) { return p ? *p : "None"; }

// Names become file names (recorder labels, metadata files): no '/' and no control characters.
void check_name(const ParamsTree& node) {
  const std::string& n = node.name();
  if (n.empty() || n.find('/') != std::string::npos ||
      std::any_of(n.begin(), n.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }))
    tree_error(node, "", "", "'" + n + "' cannot be a name: names become file names (no '/', no control characters)");
}

}  // namespace

// ------------------------------------------------------------------------------ NetworkLayer

long NetworkLayer::rows() const { return nest_params.at("rows").as_int(); }
long NetworkLayer::columns() const { return nest_params.at("columns").as_int(); }

bool NetworkLayer::has_population(const std::string& population) const {
  return std::any_of(populations.begin(), populations.end(), [&](const auto& p) { return p.first == population; });
}

long NetworkLayer::units(const std::string& population) const {
  for (const auto& [name, n] : populations)
    if (name == population) return n;
  throw UserError("layer " + name, "has no population " + population);
}


std::vector<NodeId> NetworkLayer::ids(const std::string& population) const {
  return grid->ids(grid->population(population)).ids();
}

std::string NetworkLayer::no_population(const std::string& population) const {
  std::vector<std::string> names;
  for (const auto& [pop, n] : populations) names.push_back(pop);
  return "layer " + name + " has no population '" + population + "'" + did_you_mean(population, names);
}

std::vector<std::string> NetworkLayer::recordable_populations() const {
  if (input_layer) return parrots ? std::vector<std::string>{"parrot_neuron"} : std::vector<std::string>{};
  std::vector<std::string> out;
  for (const auto& [pop, n] : populations) out.push_back(pop);
  return out;
}

std::string NetworkProjection::name() const {
  return model + "-" + source_layer + "-" + population_text(source_population) + "-" + target_layer + "-" +
         population_text(target_population);
}

// ----------------------------------------------------------------------------------- parsing

Network::Network(Simulator& sim, ParamsTree& network_tree) : sim_(sim), tree_(network_tree) {
  check_keys(tree_, "params", tree_.own_params(), {});
  check_keys(tree_, "nest_params", tree_.own_nest_params(), {});
  // deNEST's predecessor called projection models "connection_models".
  std::vector<std::string> allowed = kNetworkChildren;
  allowed.push_back("connection_models");
  for (const ParamsTree* child : tree_.children())
    if (std::find(allowed.begin(), allowed.end(), child->name()) == allowed.end())
      tree_error(*child, "", "",
                 "unknown subtree of network" + did_you_mean(child->name(), allowed) +
                     "; allowed: neuron_models, synapse_models, recorder_models, layers, projection_models, topology, "
                     "recorders");
  for (const auto& name : kNetworkChildren)
    if (!tree_.child(name) && !(name == "projection_models" && tree_.child("connection_models"))) tree_.add_child(name);

  parse_models(*tree_.child("neuron_models"), neuron_models_, false);
  parse_models(*tree_.child("synapse_models"), synapse_models_, true);
  parse_models(*tree_.child("recorder_models"), recorder_models_, false);
  parse_layers(*tree_.child("layers"));
  parse_projection_models(*projection_models_subtree(tree_));
  parse_projections(*tree_.child("topology"));
  parse_recorders(*tree_.child("recorders"));
}

void Network::parse_models(const ParamsTree& sub, std::vector<ModelLeaf>& out, bool synapses) {
  check_keys(sub, "", {}, {});
  std::map<std::string, const ParamsTree*> seen;
  for (const ParamsTree* leaf : sub.leaves()) {
    check_name(*leaf);
    if (auto it = seen.find(leaf->name()); it != seen.end())
      tree_error(*leaf, "", "", "model name defined twice (also at " + it->second->path() + ")");
    seen[leaf->name()] = leaf;
    KeyRules rules{{"nest_model"}, {}, {}, false};
    if (synapses) rules.optional = {{"receptor_type", Value()}, {"target_neuron", Value()}};
    Dict params = check_keys(*leaf, "params", leaf->params(), rules);
    ModelLeaf m{leaf->name(), string_value(*leaf, "params", params, "nest_model"), leaf->nest_params(), leaf};
    reject_placeholders(*leaf, "nest_params", m.nest_params);
    if (synapses) {
      if (m.nest_params.contains("weight"))
        tree_error(*leaf, "nest_params", "weight",
                   "is reserved: set weights on the projection model (nest_params: weights)");
      const bool has_r = !params.at("receptor_type").is_null(), has_t = !params.at("target_neuron").is_null();
      if (has_r != has_t)
        tree_error(*leaf, "params", has_r ? "target_neuron" : "receptor_type",
                   "is missing: receptor_type and target_neuron are given together");
      if (has_r) {
        if (m.nest_params.contains("receptor_type"))
          tree_error(*leaf, "nest_params", "receptor_type", "is reserved when params/receptor_type is given");
        const std::string receptor = string_value(*leaf, "params", params, "receptor_type");
        const std::string target = string_value(*leaf, "params", params, "target_neuron");
        // The target may be a built-in model or a neuron model of this tree (same ports as its base).
        const std::string base = built_in_base(neuron_models_, target);
        if (!sim_.kernel().models().has_node_model(base))
          tree_error(*leaf, "params", "target_neuron", "unknown neuron model '" + target + "'");
        const Dict ports = sim_.kernel().models().node_model(base).receptor_types();
        const Value* port = ports.find(receptor);
        if (!port) {
          std::string valid;
          for (const auto& [k, v] : ports) valid += (valid.empty() ? "" : ", ") + k;
          tree_error(*leaf, "params", "receptor_type",
                     "model " + target + " has no receptor '" + receptor + "'" +
                         (valid.empty() ? " (it has no named receptors)" : "; valid: " + valid));
        }
        m.nest_params.set("receptor_type", *port);
      }
    }
    out.push_back(std::move(m));
  }
}

void Network::parse_layers(const ParamsTree& sub) {
  check_keys(sub, "", {}, {});
  std::set<std::string> names;
  for (const ParamsTree* leaf : sub.leaves()) {
    check_name(*leaf);
    if (!names.insert(leaf->name()).second) tree_error(*leaf, "", "", "layer name defined twice");
    NetworkLayer layer;
    layer.name = leaf->name();
    layer.node = leaf;
    const Dict raw = leaf->params();
    const Value* type = raw.find("type");
    if (type && !type->is_null() && !(type->is_string() && type->as_string() == "InputLayer"))
      tree_error(*leaf, "params", "type", "must be null (a plain layer) or 'InputLayer', got " + type->repr());
    layer.input_layer = type && type->is_string();
    KeyRules rules{{"populations"}, {{"type", Value()}}, {}, false};
    if (layer.input_layer) rules.optional.push_back({"add_parrots", Value(true)});
    Dict params = check_keys(*leaf, "params", raw, rules);
    const Value& pops = params.at("populations");
    if (!pops.is_dict() || pops.as_dict().empty())
      tree_error(*leaf, "params", "populations", "must be a non-empty mapping {population: units per position}");
    for (const auto& entry : pops.as_dict()) {
      const std::string& pop = entry.first;
      const Value& n = entry.second;
      const bool tree_model = std::any_of(neuron_models_.begin(), neuron_models_.end(),
                                          [&](const ModelLeaf& m) { return m.name == pop; });
      if (!tree_model && !sim_.kernel().models().has_node_model(pop)) {
        std::vector<std::string> models = sim_.kernel().models().node_model_names();
        for (const ModelLeaf& m : neuron_models_) models.push_back(m.name);
        tree_error(*leaf, "params", "populations",
                   "'" + pop + "' is not a neuron model" + did_you_mean(pop, models) +
                       " (population names are model names: a built-in model or a leaf of network/neuron_models)");
      }
      if (!n.is_int() || n.as_int() < 1 || n.as_int() > (std::int64_t{1} << 31))
        tree_error(*leaf, "params", "populations", "units per position of '" + pop +
                                                       "' must be a positive integer up to 2^31, got " + n.repr());
      layer.populations.emplace_back(pop, static_cast<long>(n.as_int()));
    }
    if (layer.input_layer) {
      if (layer.populations.size() != 1)
        tree_error(*leaf, "params", "populations", "an InputLayer holds exactly one (stimulator) population");
      layer.stimulator = layer.populations.front().first;
      if (layer.stimulator == "parrot_neuron")
        tree_error(*leaf, "params", "populations",
                   "an InputLayer's population is a stimulator model (e.g. poisson_generator); its parrots are "
                   "added for it");
      layer.parrots = bool_value(*leaf, "params", params, "add_parrots");
      if (layer.parrots) layer.populations.emplace_back("parrot_neuron", layer.populations.front().second);
    }
    layer.nest_params = check_keys(*leaf, "nest_params", leaf->nest_params(), {{"rows", "columns"}, {}, {"elements"}, true});
    for (const char* key : {"rows", "columns"}) {
      const Value& v = layer.nest_params.at(key);
      if (!v.is_int() || v.as_int() < 1)
        tree_error(*leaf, "nest_params", key, "must be a positive integer, got " + v.repr());
    }
    layers_.push_back(std::move(layer));
  }
  std::sort(layers_.begin(), layers_.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
}

void Network::parse_projection_models(const ParamsTree& sub) {
  check_keys(sub, "", {}, {});
  for (const ParamsTree* leaf : sub.leaves()) {
    check_name(*leaf);
    if (projection_models_.count(leaf->name())) tree_error(*leaf, "", "", "projection model defined twice");
    // deNEST's MC_sleep branch: the type picks the model's class; null means topological.
    const Dict params = leaf->params();  // a copy: find() points into it
    const Value* type = params.find("type");
    const bool multisynapse = type && type->is_string() && type->as_string() == "multisynapse";
    if (type && !type->is_null() && !multisynapse && !(type->is_string() && type->as_string() == "topological"))
      tree_error(*leaf, "params", "type", "must be 'topological' (the default) or 'multisynapse', got " + type->repr());
    ProjectionModel pm;
    pm.node = leaf;
    pm.multisynapse = multisynapse;
    if (!multisynapse) {
      check_keys(*leaf, "params", params, {{}, {{"type", Value("topological")}}, {}, false});
      pm.nest_params = check_keys(*leaf, "nest_params", leaf->nest_params(),
                                  {{"synapse_model", "connection_type"}, {}, {"sources", "targets"}, true});
      string_value(*leaf, "nest_params", pm.nest_params, "synapse_model");
    } else {
      Dict checked = check_keys(*leaf, "params", params,
                               {{"query_synapse_label"},
                                {{"type", Value("multisynapse")}, {"make_symmetric", Value(false)}},
                                {},
                                false});
      const Value& label = checked.at("query_synapse_label");
      if (!label.is_int() || label.as_int() < 0)
        tree_error(*leaf, "params", "query_synapse_label", "must be a synapse label (an integer >= 0), got " + label.repr());
      pm.query_label = static_cast<long>(label.as_int());
      pm.make_symmetric = bool_value(*leaf, "params", checked, "make_symmetric");
      pm.nest_params = check_keys(*leaf, "nest_params", leaf->nest_params(),
                                  {{"model"}, {}, {"sources", "targets", "connection_type", "synapse_model"}, true});
      string_value(*leaf, "nest_params", pm.nest_params, "model");
    }
    projection_models_[leaf->name()] = std::move(pm);
  }
}

std::vector<NetworkProjection> Network::expand_projection_item(const ParamsTree& node, const std::string& list_key,
                                                               std::size_t index, const Dict& item, bool recorder) {
  const std::string at = list_key + "/" + std::to_string(index);
  std::vector<std::string> keys = {"source_layers", "source_population", "target_layers", "target_population",
                                   "projection_model"};
  Dict d = item;
  adopt_older_name(d, "connection_model", "projection_model", node, "params", at);
  for (const auto& [key, v] : d)
    if (std::find(keys.begin(), keys.end(), key) == keys.end() && !(recorder && key == "model"))
      tree_error(node, "params", at + "/" + key,
                 "is not a recognised key; allowed: source_layers, source_population, target_layers, "
                 "target_population, projection_model" + std::string(recorder ? ", model" : ""));
  for (const auto& key : keys)
    if (!d.contains(key)) tree_error(node, "params", at + "/" + key, "is missing");
  const std::string model = [&] {
    const Value& v = d.at("projection_model");
    if (!v.is_string()) tree_error(node, "params", at + "/projection_model", "must be a name, got " + v.repr());
    return v.as_string();
  }();
  if (!projection_models_.count(model))
    tree_error(
        node, "params", at + "/projection_model", "unknown projection model '" + model + "'" + [&] {
          std::vector<std::string> names;
          for (const auto& [n, m] : projection_models_) names.push_back(n);
          return did_you_mean(model, names);
        }());
  auto population = [&](const char* key) -> std::optional<std::string> {
    const Value& v = d.at(key);
    if (v.is_null()) return std::nullopt;
    if (!v.is_string()) tree_error(node, "params", at + "/" + key, "must be a population name or null, got " + v.repr());
    return v.as_string();
  };
  const auto src_pop = population("source_population"), tgt_pop = population("target_population");
  const auto src_layers = string_list(node, "params", d.at("source_layers"), at + "/source_layers");
  const auto tgt_layers = string_list(node, "params", d.at("target_layers"), at + "/target_layers");
  std::vector<NetworkProjection> out;
  for (const auto& s : src_layers) {
    const NetworkLayer* sl = find_layer(s);
    if (!sl) tree_error(node, "params", at + "/source_layers", unknown_layer(s));
    if (src_pop && !sl->has_population(*src_pop))
      tree_error(node, "params", at + "/source_population", sl->no_population(*src_pop));
    if (sl->input_layer && (!src_pop || *src_pop != "parrot_neuron" || !sl->parrots))
      tree_error(node, "params", at + "/source_population",
                 "projections from InputLayer " + s + " must start at its parrot_neuron population" +
                     (sl->parrots ? "" : " (the layer has add_parrots: false, so it cannot project)"));
    for (const auto& t : tgt_layers) {
      const NetworkLayer* tl = find_layer(t);
      if (!tl) tree_error(node, "params", at + "/target_layers", unknown_layer(t));
      if (tl->input_layer) tree_error(node, "params", at + "/target_layers", "InputLayer " + t + " cannot be a target");
      if (tgt_pop && !tl->has_population(*tgt_pop))
        tree_error(node, "params", at + "/target_population", tl->no_population(*tgt_pop));
      NetworkProjection p;
      p.model = model;
      p.source_layer = s;
      p.source_population = src_pop;
      p.target_layer = t;
      p.target_population = tgt_pop;
      p.item_node = &node;
      p.item_index = index;
      p.item_key = at;
      out.push_back(std::move(p));
    }
  }
  return out;
}

void Network::parse_projections(const ParamsTree& topology) {
  if (!topology.children().empty()) tree_error(*topology.children().front(), "", "", "topology has no subtrees");
  check_keys(topology, "nest_params", topology.own_nest_params(), {});
  std::string list_key = topology.own_params().contains("connections") ? "connections" : "projections";
  Dict params = check_keys(topology, "params", topology.own_params(),
                           {{}, {{"projections", Value(List{})}, {"connections", Value(List{})}}, {}, false});
  if (topology.own_params().contains("connections") && topology.own_params().contains("projections"))
    tree_error(topology, "params", "connections", "give either projections or its older name connections");
  const Value& list = params.at(list_key);
  if (!list.is_list()) tree_error(topology, "params", list_key, "must be a list of projections");
  for (std::size_t i = 0; i < list.as_list().size(); ++i) {
    const Value& item = list.as_list()[i];
    if (!item.is_dict()) tree_error(topology, "params", list_key + "/" + std::to_string(i), "must be a mapping");
    for (auto& p : expand_projection_item(topology, list_key, i, item.as_dict(), false)) {
      for (const auto& q : projections_)
        if (q.key() == p.key())
          tree_error(topology, "params", list_key + "/" + std::to_string(i), "duplicates projection " + p.name());
      const ProjectionModel& pm = projection_models_.at(p.model);
      p.nest_params = pm.nest_params;
      p.multisynapse = pm.multisynapse;
      p.query_label = pm.query_label;
      p.make_symmetric = pm.make_symmetric;
      p.synapse_model = pm.nest_params.at(p.synapse_key()).as_string();
      projections_.push_back(std::move(p));
    }
  }
  // Creation order: by name, multisynapse projections after all topological ones (they copy
  // connections those make).
  std::sort(projections_.begin(), projections_.end(), [](const auto& a, const auto& b) {
    return a.multisynapse != b.multisynapse ? b.multisynapse : a.key() < b.key();
  });
}

const NetworkLayer* Network::find_layer(const std::string& name) const {
  for (const auto& l : layers_)
    if (l.name == name) return &l;
  return nullptr;
}

std::string Network::unknown_layer(const std::string& name) const {
  std::vector<std::string> names;
  for (const auto& l : layers_) names.push_back(l.name);
  return "unknown layer '" + name + "'" + did_you_mean(name, names);
}

const NetworkLayer& Network::layer(const std::string& name) const {
  if (const NetworkLayer* l = find_layer(name)) return *l;
  throw UserError("network/layers", unknown_layer(name));
}

const ParamsTree* Network::model_node(const std::string& model) const {
  for (const auto* leaves : {&neuron_models_, &synapse_models_, &recorder_models_})
    for (const ModelLeaf& m : *leaves)
      if (m.name == model) return m.node;
  return nullptr;
}

std::string Network::describe_node(NodeId node) const {
  for (const auto& l : layers_) {
    if (!l.grid) continue;
    for (const LayerPopulation& p : l.grid->populations())
      if (node >= p.first_id && node < p.first_id + p.size) return "layer " + l.name + ", population " + p.model;
  }
  return "";
}

std::vector<std::string> Network::synapse_copies(const std::string& synapse_model) const {
  auto it = synapse_copies_.find(synapse_model);
  return it == synapse_copies_.end() ? std::vector<std::string>{} : it->second;
}


}  // namespace nestling::frontend
