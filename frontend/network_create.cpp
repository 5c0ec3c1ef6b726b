// Recorders of the `network` subtree, and creation of the whole network in the engine.
#include <algorithm>
#include <array>
#include <set>

#include "engine/kernel.hpp"
#include "engine/suggest.hpp"
#include "frontend/network.hpp"
#include "frontend/tree_schema.hpp"

namespace nestling::frontend {

namespace {
// Locates an error raised by the engine for a dictionary that came from `node`'s data key.
UserError located_engine_error(const UserError& e, const ParamsTree& node, const std::string& data_key) {
  const std::string& p = e.path();
  const std::string first = p.substr(0, p.find('/'));
  UserError inner(p.size() > first.size() ? p.substr(first.size() + 1) : "", e.message());
  return located(inner, node, data_key, first);
}
}  // namespace

std::string Network::built_in_base(const std::vector<ModelLeaf>& models, std::string name) {
  // Bounded by the number of models, so a cycle of copies cannot loop forever.
  for (std::size_t hops = 0; hops <= models.size(); ++hops) {
    auto it = std::find_if(models.begin(), models.end(),
                           [&](const ModelLeaf& m) { return m.name == name && m.base != m.name; });
    if (it == models.end()) break;
    name = it->base;
  }
  return name;
}

RecordKind Network::recorder_kind(const std::string& model) const {
  const std::string base = built_in_base(recorder_models_, model);
  if (base == "spike_detector" || base == "spike_recorder") return RecordKind::spikes;
  if (base == "multimeter") return RecordKind::samples;
  if (base == "weight_recorder") return RecordKind::weights;
  throw UserError("model '" + model + "' is not a recorder (spike_detector, multimeter or weight_recorder)");
}

void Network::parse_recorders(const ParamsTree& node) {
  if (!node.children().empty()) tree_error(*node.children().front(), "", "", "recorders has no subtrees");
  check_keys(node, "nest_params", node.own_nest_params(), {});
  const Dict& own = node.own_params();
  if (own.contains("connection_recorders") && own.contains("projection_recorders"))
    tree_error(node, "params", "connection_recorders", "give either projection_recorders or its older name");
  const std::string proj_key = own.contains("connection_recorders") ? "connection_recorders" : "projection_recorders";
  Dict params = check_keys(node, "params", own,
                           {{},
                            {{"population_recorders", Value(List{})},
                             {"projection_recorders", Value(List{})},
                             {"connection_recorders", Value(List{})}},
                            {},
                            false});

  const Value& pops = params.at("population_recorders");
  if (!pops.is_list()) tree_error(node, "params", "population_recorders", "must be a list");
  std::set<std::string> populations_anywhere;
  for (const auto& l : layers_)
    for (const auto& p : l.recordable_populations()) populations_anywhere.insert(p);
  for (std::size_t i = 0; i < pops.as_list().size(); ++i) {
    const std::string at = "population_recorders/" + std::to_string(i);
    const Value& item = pops.as_list()[i];
    if (!item.is_dict()) tree_error(node, "params", at, "must be a mapping {model, layers, populations}");
    const Dict& d = item.as_dict();
    for (const auto& [k, v] : d)
      if (k != "model" && k != "layers" && k != "populations")
        tree_error(node, "params", at + "/" + k, "is not a recognised key; allowed: layers, model, populations");
    for (const char* k : {"model", "layers", "populations"})
      if (!d.contains(k)) tree_error(node, "params", at + "/" + k, "is missing");
    if (!d.at("model").is_string()) tree_error(node, "params", at + "/model", "must be a recorder model name");
    const std::string model = d.at("model").as_string();
    try {
      if (recorder_kind(model) == RecordKind::weights)
        throw UserError("weight recorders record projections: list them under projection_recorders");
    } catch (const UserError& e) {
      tree_error(node, "params", at + "/model", e.message());
    }
    std::vector<std::string> layer_names;
    if (d.at("layers").is_null()) {
      for (const auto& l : layers_) layer_names.push_back(l.name);
    } else {
      layer_names = string_list(node, "params", d.at("layers"), at + "/layers");
    }
    std::optional<std::vector<std::string>> wanted;
    if (!d.at("populations").is_null()) {
      wanted = string_list(node, "params", d.at("populations"), at + "/populations");
      for (const auto& p : *wanted)
        if (!populations_anywhere.count(p))
          tree_error(node, "params", at + "/populations", "no layer has a recordable population '" + p + "'");
    }
    for (const auto& ln : layer_names) {
      const NetworkLayer* l = find_layer(ln);
      if (!l) tree_error(node, "params", at + "/layers", unknown_layer(ln));
      for (const auto& p : l->recordable_populations()) {
        if (wanted && std::find(wanted->begin(), wanted->end(), p) == wanted->end()) continue;
        PopulationRecorderItem r{model, ln, p};
        const bool dup = std::any_of(population_recorder_items_.begin(), population_recorder_items_.end(),
                                     [&](const auto& x) { return x.key() == r.key(); });
        if (!dup) population_recorder_items_.push_back(r);
      }
    }
  }
  std::sort(population_recorder_items_.begin(), population_recorder_items_.end(),
            [](const auto& a, const auto& b) { return a.key() < b.key(); });

  const Value& projs = params.at(proj_key);
  if (!projs.is_list()) tree_error(node, "params", proj_key, "must be a list");
  for (std::size_t i = 0; i < projs.as_list().size(); ++i) {
    const std::string at = proj_key + "/" + std::to_string(i);
    const Value& item = projs.as_list()[i];
    if (!item.is_dict()) tree_error(node, "params", at, "must be a mapping");
    const Dict& d = item.as_dict();
    if (!d.contains("model") || !d.at("model").is_string())
      tree_error(node, "params", at + "/model", "must name a weight_recorder model");
    const std::string model = d.at("model").as_string();
    try {
      if (recorder_kind(model) != RecordKind::weights)
        throw UserError("projection recorders must be weight_recorder models");
    } catch (const UserError& e) {
      tree_error(node, "params", at + "/model", e.message());
    }
    for (auto& p : expand_projection_item(node, proj_key, i, d, true)) {
      auto match = std::find_if(projections_.begin(), projections_.end(), [&](const auto& q) { return q.key() == p.key(); });
      if (match == projections_.end())
        tree_error(node, "params", at, "matches no projection (" + p.name() + ")");
      for (const auto& r : projection_recorder_items_)
        if (r.projection.key() == p.key() && r.model == model)
          tree_error(node, "params", at, "duplicates the recorder of " + p.name());
      projection_recorder_items_.push_back({model, *match, &node});
    }
  }
  // Labels name the output files: two recorders must not share one (e.g. layer x_l1 with
  // population exc and layer x with population l1_exc both give <model>_x_l1_exc).
  std::map<std::string, std::string> labels;
  auto claim = [&](const std::string& label, const std::string& what) {
    auto [it, fresh] = labels.emplace(label, what);
    if (!fresh)
      tree_error(node, "params", "", "recorders " + it->second + " and " + what + " would both be labelled '" + label +
                                         "' and write the same files; rename a layer or population");
  };
  for (const auto& r : population_recorder_items_)
    claim(r.model + "_" + r.layer + "_" + r.population, r.model + " of " + r.layer + "/" + r.population);
  for (const auto& r : projection_recorder_items_)
    claim(r.model + "_" + r.projection.name(), r.model + " of " + r.projection.name());

  std::sort(projection_recorder_items_.begin(), projection_recorder_items_.end(), [](const auto& a, const auto& b) {
    return std::tie(a.model, a.projection.model, a.projection.source_layer, a.projection.source_population,
                    a.projection.target_layer, a.projection.target_population) <
           std::tie(b.model, b.projection.model, b.projection.source_layer, b.projection.source_population,
                    b.projection.target_layer, b.projection.target_population);
  });
}

// ---------------------------------------------------------------------------------- creation

void Network::create_models(const std::vector<ModelLeaf>& leaves) {
  for (const auto& m : leaves) {
    try {
      if (m.name == m.base) {
        sim_.set_defaults(m.name, m.nest_params);
      } else {
        if (!sim_.kernel().models().has(m.base)) {
          std::vector<std::string> known = sim_.kernel().models().node_model_names();
          const auto synapses = sim_.kernel().models().synapse_model_names();
          known.insert(known.end(), synapses.begin(), synapses.end());
          throw UserError("nest_model", "unknown model '" + m.base + "'" + did_you_mean(m.base, known));
        }
        sim_.copy_model(m.base, m.name, m.nest_params);
      }
    } catch (const UserError& e) {
      if (e.path() == "nest_model" || e.path() == m.name || e.path() == m.base)  // unknown or clashing model names
        throw located(UserError(e.message()), *m.node, "params", "nest_model");
      // Engine paths start with the model name; the rest names the parameter.
      const std::string& p = e.path();
      const std::string rest = p.rfind(m.name + "/", 0) == 0 ? p.substr(m.name.size() + 1)
                               : p.rfind(m.base + "/", 0) == 0 ? p.substr(m.base.size() + 1)
                                                                 : p;
      throw located_engine_error(UserError(rest, e.message()), *m.node, "nest_params");
    }
  }
}

void Network::create_layer(NetworkLayer& layer) {
  Dict spec = layer.nest_params;
  List elements;
  for (const auto& [pop, n] : layer.populations) {
    if (!sim_.kernel().models().has_node_model(pop))
      tree_error(*layer.node, "params", "populations", "unknown model '" + pop + "' (a population is a neuron model)");
    if (sim_.kernel().models().node_model(pop).kind() == NodeKind::recorder)
      tree_error(*layer.node, "params", "populations", "'" + pop + "' is a recorder, not a population model");
    elements.emplace_back(pop);
    elements.emplace_back(static_cast<long long>(n));
  }
  spec.set("elements", elements);
  try {
    layer.grid.emplace(create_grid_layer(sim_, spec));
  } catch (const std::bad_alloc&) {
    throw located(UserError("out of memory while creating this layer's nodes"), *layer.node, "");
  } catch (const UserError& e) {
    throw located_engine_error(e, *layer.node, "nest_params");
  }
  if (layer.input_layer && layer.parrots)
    sim_.connect(NodeCollection(layer.ids(layer.stimulator)), NodeCollection(layer.ids("parrot_neuron")),
                 Rule::one_to_one);
}

void Network::create() {
  if (created_) return;
  created_ = true;
  create_models(neuron_models_);
  create_models(synapse_models_);
  create_models(recorder_models_);
  check_memory();
  for (auto& l : layers_) create_layer(l);

  for (const auto& item : population_recorder_items_) {
    NetworkRecorder r;
    r.kind = recorder_kind(item.model);
    r.model = item.model;
    r.label = item.model + "_" + item.layer + "_" + item.population;
    r.layer = item.layer;
    r.population = item.population;
    r.gid = sim_.create(item.model)[0];
    sim_.set_status(r.gid, {{"label", r.label}});
    const NetworkLayer& l = layer(item.layer);
    r.gids = l.ids(item.population);
    if (!sim_.get_status(r.gid).at("withtime").as_bool()) {
      auto leaf = std::find_if(recorder_models_.begin(), recorder_models_.end(),
                               [&](const ModelLeaf& m) { return m.name == item.model; });
      const std::string message = "population recorders need withtime: true";
      if (leaf == recorder_models_.end()) throw UserError("network/recorders", message);
      throw located(UserError(message), *leaf->node, "nest_params", "withtime");
    }
    try {
      if (r.kind == RecordKind::samples) {
        sim_.connect(NodeCollection({r.gid}), NodeCollection(r.gids));
      } else {
        sim_.connect(NodeCollection(r.gids), NodeCollection({r.gid}));
      }
    } catch (const UserError& e) {
      // e.g. a record_from the population's model does not have: point at the recorder model
      auto leaf = std::find_if(recorder_models_.begin(), recorder_models_.end(),
                               [&](const ModelLeaf& m) { return m.name == item.model; });
      if (leaf == recorder_models_.end()) throw;
      const std::string& p = e.path();
      const std::string key = p.rfind(item.model + "/", 0) == 0 ? p.substr(item.model.size() + 1) : "";
      throw located(UserError(e.message() + " (recording " + item.layer + "/" + item.population + ")"), *leaf->node,
                    "nest_params", key);
    }
    recorders_.push_back(std::move(r));
  }

  for (auto& item : projection_recorder_items_) {
    NetworkRecorder r;
    r.kind = RecordKind::weights;
    r.model = item.model;
    r.projection = item.projection.name();
    r.label = item.model + "_" + r.projection;
    r.gid = sim_.create(item.model)[0];
    sim_.set_status(r.gid, {{"label", r.label}});
    auto proj = std::find_if(projections_.begin(), projections_.end(),
                             [&](const auto& q) { return q.key() == item.projection.key(); });
    const std::string base = proj->nest_params.at(proj->synapse_key()).as_string();
    const std::string copy = base + "-" + r.projection;
    try {
      sim_.copy_model(base, copy, {{"weight_recorder", static_cast<long long>(r.gid)}});
    } catch (const UserError& e) {
      throw located(UserError(e.message()), *projection_models_.at(proj->model).node, "nest_params", proj->synapse_key());
    }
    proj->synapse_model = copy;
    synapse_copies_[base].push_back(copy);
    recorders_.push_back(std::move(r));
  }

  for (auto& p : projections_) {
    if (p.multisynapse) {
      create_multisynapse(p);
      continue;
    }
    Dict spec = p.nest_params;
    spec.set("synapse_model", p.synapse_model);
    if (p.source_population) spec.set("sources", Dict{{"model", *p.source_population}});
    if (p.target_population) spec.set("targets", Dict{{"model", *p.target_population}});
    const ParamsTree& model_node = *projection_models_.at(p.model).node;
    try {
      p.connections = connect_layers(sim_, *layer(p.source_layer).grid, *layer(p.target_layer).grid, spec);
    } catch (const std::bad_alloc&) {
      throw located(UserError("out of memory while building projection " + p.name() +
                              " (the network's connections do not fit in this machine)"),
                    *p.item_node, "params", p.item_key);
    } catch (const UserError& e) {
      UserError inner = e;
      if (e.path().rfind("synapse_model", 0) == 0 || e.path().empty())
        inner = UserError(e.path().empty() ? "synapse_model" : e.path(),
                          e.message() + " (projection " + p.name() + ")");
      throw located_engine_error(inner, model_node, "nest_params");
    }
    check_conductance_weights(p);
  }
}

void Network::check_conductance_weights(const NetworkProjection& p) {
  const Value* given = p.nest_params.find("weights");
  const double weight = !given               ? sim_.get_defaults(p.synapse_model).at("weight").as_double()
                        : given->is_number() ? given->as_double()
                                             : 0.0;  // a parameter: its values are not known here
  if (!(weight < 0.0)) return;
  const Kernel& kernel = sim_.kernel();
  const long receptor = kernel.models().synapse_model(p.synapse_model).common().receptor_type;
  for (const LayerPopulation& pop : layer(p.target_layer).grid->populations()) {
    if (p.target_population && pop.model != *p.target_population) continue;
    const NodeGroup& target = kernel.group_of(pop.first_id);
    try {
      if (!target.conductance_buffer(target.spike_buffer(receptor))) continue;
    } catch (const UserError&) {
      continue;  // not a spike port of this model (the connection itself would have failed)
    }
    std::string port = std::to_string(receptor);
    for (const auto& [name, number] : target.receptor_types())
      if (number.is_int() && number.as_int() == receptor) port = name;
    const UserError warning =
        located(UserError("negative weight " + format_number(weight) + " onto conductance receptor " + port + " of " +
                          target.model().base_name() + " (" + p.name() +
                          "): NEST accepts it, but a negative conductance can make the neuron diverge"),
                *projection_models_.at(p.model).node, "nest_params", "weights");
    warnings_.push_back(std::string("warning: ") + warning.what());
    return;
  }
}

std::vector<NodeId> Network::projection_ids(const std::string& layer_name,
                                            const std::optional<std::string>& population) const {
  const NetworkLayer& l = layer(layer_name);
  if (population) return l.ids(*population);
  std::vector<NodeId> ids;
  for (const auto& [pop, n] : l.populations) {
    const auto more = l.ids(pop);
    ids.insert(ids.end(), more.begin(), more.end());
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

void Network::create_multisynapse(NetworkProjection& p) {
  const ParamsTree& model_node = *projection_models_.at(p.model).node;
  // Every connection of a model labelled query_label, in the kernel's (source, target) order.
  std::vector<ConnectionInfo> labelled;
  Kernel& kernel = sim_.kernel();
  for (std::size_t id = 0; id < kernel.models().synapse_model_count(); ++id) {
    const SynapseModel& m = kernel.models().synapse_model(static_cast<int>(id));
    if (m.common().synapse_label != p.query_label || !kernel.synapse_model_in_use(static_cast<int>(id))) continue;
    auto more = kernel.connections(0, 0, m.name());
    labelled.insert(labelled.end(), more.begin(), more.end());
  }
  std::stable_sort(labelled.begin(), labelled.end(), [](const ConnectionInfo& a, const ConnectionInfo& b) {
    return a.source != b.source ? a.source < b.source : a.target < b.target;
  });
  const auto sources = projection_ids(p.source_layer, p.source_population);
  const auto targets = projection_ids(p.target_layer, p.target_population);
  auto member = [](const std::vector<NodeId>& ids, NodeId id) { return std::binary_search(ids.begin(), ids.end(), id); };
  std::vector<std::array<NodeId, 2>> pairs;  // (source, target)
  for (const ConnectionInfo& c : labelled)
    if (member(sources, c.source) && member(targets, c.target)) pairs.push_back({c.source, c.target});
  if (kernel.communicator().distributed()) {
    // Each process holds the connections onto its own nodes; the copy needs all of them (the
    // mirror of a connection is made on its source's process). A connection's repeats share a
    // process, so a stable sort of every process's list keeps the single-process order.
    pairs = kernel.communicator().all_gather_values(pairs);
    std::stable_sort(pairs.begin(), pairs.end());
  }
  std::vector<NodeId> from, to;
  for (const auto& st : pairs) {
    from.push_back(st[0]);
    to.push_back(st[1]);
  }
  if (from.empty())
    tree_error(model_node, "params", "query_synapse_label",
               "no connection labelled " + std::to_string(p.query_label) + " from " + p.source_layer + " to " +
                   p.target_layer + " to copy (projection " + p.name() + ")");

  // The rest of nest_params is the syn_spec: model, weight, delay, receptor_type, synapse parameters.
  try {
    SynSpec syn;
    syn.model = p.synapse_model;
    for (const auto& [key, v] : p.nest_params) {
      if (key == "model") continue;
      try {
        if (key == "weight") {
          syn.weight = v.as_double();
        } else if (key == "delay") {
          syn.delay = v.as_double();
        } else if (key == "receptor_type" && v.is_string()) {
          syn.receptor_name = v.as_string();
        } else if (key == "receptor_type") {
          syn.receptor = static_cast<long>(v.as_int());
        } else {
          syn.state.set(key, v);
        }
      } catch (const UserError& e) {
        throw UserError(key, e.message());
      }
    }
    sim_.connect(NodeCollection(from), NodeCollection(to), ConnSpec{Rule::one_to_one, p.make_symmetric}, syn);
  } catch (const UserError& e) {
    // Point at the nest_params key the problem is about, where there is one.
    const std::string key = e.path().substr(0, e.path().find('/'));
    throw located(UserError(e.message() + " (projection " + p.name() + ")"), model_node, "nest_params",
                  p.nest_params.contains(key) ? key : "");
  }
  p.connections = from.size() * (p.make_symmetric ? 2 : 1);
}

}  // namespace nestling::frontend
