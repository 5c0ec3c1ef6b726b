#include "frontend/session.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <numeric>

#include "engine/kernel.hpp"
#include "engine/rng.hpp"
#include "engine/suggest.hpp"
#include "frontend/tree_schema.hpp"
#include "io/npy.hpp"

namespace nestling::frontend {

namespace {

// A fixed hash (FNV-1a), so that selections do not depend on the standard library.
std::uint64_t fnv1a(const std::string& text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

constexpr double kLongestSession = 1e12;  // ms

std::string session_name(std::size_t index, const std::string& model) {
  std::string n = std::to_string(index);
  if (n.size() < 2) n.insert(0, 2 - n.size(), '0');
  return n + "_" + model;
}

// The populations a unit change selects in one layer.
std::vector<std::string> selected_populations(const UnitChange& c, const NetworkLayer& l) {
  if (c.population) return {*c.population};
  std::vector<std::string> all;
  for (const auto& [p, n] : l.populations) all.push_back(p);
  return all;
}

std::vector<std::string> selected_layers(const UnitChange& c, const Network& net) {
  if (c.layers) return *c.layers;
  std::vector<std::string> all;
  for (const auto& l : net.layers()) all.push_back(l.name);
  return all;
}

UnitChange parse_unit_change(const ParamsTree& node, const std::string& where, const Value& item, const Network& net,
                             Simulator& sim, const std::string& input_dir) {
  if (!item.is_dict()) tree_error(node, "params", where, "must be a mapping");
  Dict d = item.as_dict();
  // deNEST's predecessor: `population` for population_name, `params` for nest_params.
  adopt_older_name(d, "population", "population_name", node, "params", where);
  adopt_older_name(d, "params", "nest_params", node, "params", where);
  static const std::vector<std::string> keys = {"layers", "population_name", "change_type", "from_array",
                                                "nest_params", "proportion", "subnet_x_y_max"};
  for (const auto& [k, v] : d)
    if (std::find(keys.begin(), keys.end(), k) == keys.end())
      tree_error(node, "params", where + "/" + k,
                 "is not a recognised key; allowed: change_type, from_array, layers, nest_params, population_name, "
                 "proportion, subnet_x_y_max");
  UnitChange c;
  c.node = &node;
  c.where = where;
  if (!d.contains("layers"))
    tree_error(node, "params", where + "/layers",
               "is missing: list the layers to change, or write null for every layer (deNEST's default [] changes nothing)");
  if (!d.at("layers").is_null()) c.layers = string_list(node, "params", d.at("layers"), where + "/layers");
  if (const Value* p = d.find("population_name"); p && !p->is_null()) {
    if (!p->is_string()) tree_error(node, "params", where + "/population_name", "must be a population name or null");
    c.population = p->as_string();
  }
  if (const Value* t = d.find("change_type")) {
    const std::string s = t->is_string() ? t->as_string() : "";
    if (s == "constant") c.type = ChangeType::constant;
    else if (s == "multiplicative") c.type = ChangeType::multiplicative;
    else if (s == "additive") c.type = ChangeType::additive;
    else tree_error(node, "params", where + "/change_type", "must be constant, multiplicative or additive, got " + t->repr());
  }
  if (const Value* f = d.find("from_array")) {
    if (!f->is_bool()) tree_error(node, "params", where + "/from_array", "must be true or false");
    c.from_array = f->as_bool();
  }
  if (const Value* p = d.find("proportion")) {
    if (!p->is_number() || !(p->as_double() >= 0.0 && p->as_double() <= 1.0))
      tree_error(node, "params", where + "/proportion", "must be a number in [0, 1], got " + p->repr());
    c.proportion = p->as_double();
  }
  if (const Value* m = d.find("subnet_x_y_max"); m && !m->is_null()) {
    const std::string at = where + "/subnet_x_y_max";
    if (!m->is_list() || m->as_list().size() != 2 ||
        !std::all_of(m->as_list().begin(), m->as_list().end(), [](const Value& x) { return x.is_int(); }))
      tree_error(node, "params", at, "must be [max_row, max_col] (two integers), got " + m->repr());
    if (c.from_array) tree_error(node, "params", at, "cannot be combined with from_array (as in deNEST)");
    if (c.proportion < 1.0) tree_error(node, "params", at, "cannot be combined with proportion");
    c.subnet_max = {static_cast<long>(m->as_list()[0].as_int()), static_cast<long>(m->as_list()[1].as_int())};
  }
  if (const Value* v = d.find("nest_params")) {
    if (!v->is_dict()) tree_error(node, "params", where + "/nest_params", "must be a mapping {parameter: value}");
    c.values = v->as_dict();
  }

  // Layers and populations must exist; a named population must exist in every listed layer.
  for (const auto& ln : selected_layers(c, net)) {
    const NetworkLayer* l = net.find_layer(ln);
    if (!l) tree_error(node, "params", where + "/layers", net.unknown_layer(ln));
    if (c.population && !l->has_population(*c.population))
      tree_error(node, "params", where + "/population_name", l->no_population(*c.population));
    for (const auto& pop : selected_populations(c, *l)) {
      // Parameter names and values are checked on a scratch copy of the population's model.
      const NodeModel& model = sim.kernel().models().node_model(pop);
      auto probe = model.copy(model.name());  // a scratch copy: errors name the population's model
      Dict defaults = probe->defaults();
      for (const auto& [param, value] : c.values) {
        const std::string at = where + "/nest_params/" + param;
        if (c.type != ChangeType::constant) {
          const Value* cur = defaults.find(param);
          if (!cur || !cur->is_real())
            tree_error(node, "params", at, "a " + std::string(c.type == ChangeType::multiplicative ? "multiplicative" : "additive") +
                                               " change needs a floating-point parameter; " + pop + "/" + param + " is not one");
        }
        if (c.from_array) {
          if (!value.is_string()) tree_error(node, "params", at, "with from_array the value must be a .npy file name in input_dir");
          const std::string file = (std::filesystem::path(input_dir) / value.as_string()).string();
          const std::vector<std::size_t> want = {static_cast<std::size_t>(l->rows()),
                                                 static_cast<std::size_t>(l->columns()),
                                                 static_cast<std::size_t>(l->units(pop))};
          // The header first: a wrong shape is refused before the data is read.
          io::NpyHeader header;
          io::NpyArray a;
          try {
            header = io::read_npy_header(file);
          } catch (const UserError& e) {
            tree_error(node, "params", at, e.what());
          }
          if (header.shape != want) {
            auto text = [](const std::vector<std::size_t>& s) {
              std::string t = "(";
              for (std::size_t i = 0; i < s.size(); ++i) t += (i ? ", " : "") + std::to_string(s[i]);
              return t + (s.size() == 1 ? ",)" : ")");
            };
            tree_error(node, "params", at,
                       "array " + file + " has shape " + text(header.shape) + ", but population " + pop + " of layer " +
                           ln + " has shape " + text(want) + " (rows, columns, units)");
          }
          try {
            a = io::read_npy(file);
          } catch (const UserError& e) {
            tree_error(node, "params", at, e.what());
          }
          // every distinct value of the array must be valid for the parameter
          std::vector<double> distinct(a.data);
          std::sort(distinct.begin(), distinct.end());
          distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
          for (double v : distinct) {
            try {
              probe->set_defaults({{param, Value(v)}});
            } catch (const UserError& e) {
              tree_error(node, "params", at, e.message() + " (a value in " + value.as_string() + ")");
            }
          }
          c.arrays.emplace_back(ln + "/" + pop + "/" + param, std::move(a.data));
          c.files.push_back(file);
        } else if (c.type == ChangeType::constant) {
          try {
            probe->set_defaults({{param, value}});
          } catch (const UserError& e) {
            tree_error(node, "params", at, e.message());
          }
        } else if (!value.is_number()) {
          tree_error(node, "params", at, "must be a number for a " + std::string(c.type == ChangeType::multiplicative ? "multiplicative" : "additive") + " change");
        }
      }
    }
  }
  return c;
}

const std::vector<double>* array_for(const UnitChange& c, const std::string& key) {
  for (const auto& [k, v] : c.arrays)
    if (k == key) return &v;
  return nullptr;
}

void apply_unit_change(const UnitChange& c, std::size_t change_index, const Session& s, const Network& net,
                       Simulator& sim) {
  for (const auto& ln : selected_layers(c, net)) {
    const NetworkLayer& l = net.layer(ln);
    const auto positions = static_cast<std::size_t>(l.rows() * l.columns());
    for (const auto& pop : selected_populations(c, l)) {
      std::vector<NodeId> ids = l.ids(pop);
      std::vector<std::size_t> chosen(ids.size());
      std::iota(chosen.begin(), chosen.end(), 0);
      if (c.proportion < 1.0) {  // a reproducible random subset, then back in id order
        Rng rng = make_stream(sim.kernel().seed(), StreamPurpose::unit_selection, change_index,
                              fnv1a(s.name + "/" + ln + "/" + pop));
        const auto keep = static_cast<std::size_t>(std::llround(c.proportion * static_cast<double>(ids.size())));
        for (std::size_t i = 0; i < keep; ++i) std::swap(chosen[i], chosen[i + rng() % (chosen.size() - i)]);
        chosen.resize(keep);
        std::sort(chosen.begin(), chosen.end());
      }
      // Looked up once per population, not per unit.
      std::vector<const std::vector<double>*> arrays;
      if (c.from_array)
        for (const auto& entry : c.values) arrays.push_back(array_for(c, ln + "/" + pop + "/" + entry.first));
      const auto rows = static_cast<std::size_t>(l.rows()), columns = static_cast<std::size_t>(l.columns());
      const auto units = static_cast<std::size_t>(l.units(pop));
      for (std::size_t i : chosen) {
        if (!sim.kernel().is_local(ids[i])) continue;  // the process that owns the node changes it
        if (c.subnet_max) {  // unit i sits at row p % rows, column p / rows (p = its position)
          const std::size_t p = i % positions;
          if (static_cast<long>(p % rows) > c.subnet_max->first || static_cast<long>(p / rows) > c.subnet_max->second)
            continue;
        }
        Dict update;
        const Dict current = c.type != ChangeType::constant ? sim.get_status(ids[i]) : Dict{};
        std::size_t j = 0;
        for (const auto& [param, value] : c.values) {
          Value v = value;
          if (c.from_array) {
            // unit i = k·N + col·rows + row  →  array index (row, col, k) in C order
            const std::size_t k = i / positions, p = i % positions;
            v = Value((*arrays[j++])[((p % rows) * columns + p / rows) * units + k]);
          }
          if (c.type != ChangeType::constant) {
            const double cur = current.at(param).as_double();
            v = Value(c.type == ChangeType::multiplicative ? cur * v.as_double() : cur + v.as_double());
          }
          update.set(param, v);
        }
        try {
          sim.set_status(ids[i], update);
        } catch (const UserError& e) {
          tree_error(*c.node, "params", c.where, e.what());
        }
      }
    }
  }
}

}  // namespace

std::vector<const ParamsTree*> find_session_models(const ParamsTree& session_models,
                                                   const std::vector<std::string>& order, const ParamsTree& simulation) {
  const std::vector<const ParamsTree*> leaves = session_models.leaves();
  for (const ParamsTree* leaf : leaves) check_keys(*leaf, "nest_params", leaf->nest_params(), {});
  std::vector<const ParamsTree*> found;
  for (std::size_t i = 0; i < order.size(); ++i) {
    auto it = std::find_if(leaves.begin(), leaves.end(), [&](const ParamsTree* l) { return l->name() == order[i]; });
    if (it == leaves.end()) {
      std::string known;
      std::vector<std::string> names;
      for (const ParamsTree* l : leaves) {
        known += (known.empty() ? "" : ", ") + l->name();
        names.push_back(l->name());
      }
      tree_error(
          simulation, "params", "sessions/" + std::to_string(i),
          "unknown session model '" + order[i] + "'" +
              (known.empty() ? " (session_models is empty)" : did_you_mean(order[i], names) + "; known: " + known));
    }
    for (auto other = std::next(it); other != leaves.end(); ++other)
      if ((*other)->name() == order[i])
        tree_error(**other, "", "", "session model defined twice (also at " + (*it)->path() + ")");
    found.push_back(*it);
  }
  return found;
}

std::vector<Session> build_sessions(const std::vector<const ParamsTree*>& models, const std::vector<std::string>& order,
                                    const Network& network, Simulator& sim, const std::string& input_dir,
                                    double start_time) {
  std::vector<Session> out;
  double t = start_time;
  for (std::size_t i = 0; i < order.size(); ++i) {
    const ParamsTree& node = *models[i];
    Dict p = check_keys(node, "params", node.params(),
                        {{"simulation_time"},
                         {{"reset_network", Value(false)}, {"record", Value(true)}, {"shift_origin", Value(false)},
                          {"unit_changes", Value(List{})}, {"synapse_changes", Value(List{})}},
                         {},
                         false});
    Session s;
    s.name = session_name(i, order[i]);
    s.model = order[i];
    s.node = &node;
    const Value& st = p.at("simulation_time");
    if (!st.is_number() || !std::isfinite(st.as_double()) || st.as_double() < 0)
      tree_error(node, "params", "simulation_time", "must be a non-negative number of ms, got " + st.repr());
    if (st.as_double() > kLongestSession)
      tree_error(node, "params", "simulation_time",
                 "is " + format_number(st.as_double()) + " ms, longer than the longest session nestling runs (" +
                     format_number(kLongestSession) + " ms, about 32 years)");
    s.simulation_time = std::trunc(st.as_double());  // deNEST runs int(simulation_time) ms
    if (!sim.kernel().grid().is_on_grid(s.simulation_time))
      tree_error(node, "params", "simulation_time",
                 "runs " + format_number(s.simulation_time) +
                     " ms (whole ms, as deNEST), which is not a multiple of "
                     "the resolution " +
                     format_number(sim.kernel().grid().resolution()) +
                     " ms; NEST 2.20 refuses such "
                     "a Simulate");
    s.reset_network = bool_value(node, "params", p, "reset_network");
    s.record = bool_value(node, "params", p, "record");
    s.shift_origin = bool_value(node, "params", p, "shift_origin");
    if (!s.record)
      for (const auto& r : network.recorders())
        if (sim.get_status(r.gid).at("origin").as_double() != 0.0)
          tree_error(node, "params", "record",
                     "record: false moves recorder windows, which needs recorders with origin 0 (" + r.label + ")");
    const Value& uc = p.at("unit_changes");
    if (!uc.is_list()) tree_error(node, "params", "unit_changes", "must be a list");
    for (std::size_t k = 0; k < uc.as_list().size(); ++k)
      s.unit_changes.push_back(
          parse_unit_change(node, "unit_changes/" + std::to_string(k), uc.as_list()[k], network, sim, input_dir));
    // Applied in the order of their `layers` (null first), equal ones as written.
    std::stable_sort(s.unit_changes.begin(), s.unit_changes.end(),
                     [](const UnitChange& a, const UnitChange& b) { return a.layers < b.layers; });
    const Value& sc = p.at("synapse_changes");
    if (!sc.is_list()) tree_error(node, "params", "synapse_changes", "must be a list");
    for (std::size_t k = 0; k < sc.as_list().size(); ++k) {
      const std::string at = "synapse_changes/" + std::to_string(k);
      const Value& item = sc.as_list()[k];
      if (!item.is_dict() || !item.as_dict().contains("synapse_model") || !item.as_dict().at("synapse_model").is_string())
        tree_error(node, "params", at, "must be a mapping {synapse_model: name, params: {...}}");
      for (const auto& [key, v] : item.as_dict())
        if (key != "synapse_model" && key != "params")
          tree_error(node, "params", at + "/" + key, "is not a recognised key; allowed: params, synapse_model");
      SynapseChange ch{item.as_dict().at("synapse_model").as_string(), {}};
      if (const Value* pv = item.as_dict().find("params")) {
        if (!pv->is_dict()) tree_error(node, "params", at + "/params", "must be a mapping");
        ch.params = pv->as_dict();
      }
      if (!sim.kernel().models().has_synapse_model(ch.synapse_model))
        tree_error(node, "params", at + "/synapse_model",
                   "unknown synapse model '" + ch.synapse_model + "'" +
                       did_you_mean(ch.synapse_model, sim.kernel().models().synapse_model_names()));
      try {
        sim.kernel().check_synapse_status(ch.synapse_model, ch.params);
      } catch (const UserError& e) {
        tree_error(node, "params", at + "/params" + (e.path().empty() ? "" : "/" + e.path()), e.message());
      }
      s.synapse_changes.push_back(std::move(ch));
    }
    std::stable_sort(s.synapse_changes.begin(), s.synapse_changes.end(),
                     [](const SynapseChange& a, const SynapseChange& b) { return a.synapse_model < b.synapse_model; });
    s.start = t;
    s.end = t + s.simulation_time;
    t = s.end;
    out.push_back(std::move(s));
  }
  return out;
}

void run_session(const Session& s, const Network& network, Simulator& sim) {
  if (s.reset_network) sim.reset_network();
  if (!s.record)  // recorders start after this session (their origin is 0: checked with the sessions)
    for (const auto& r : network.recorders()) sim.set_status(r.gid, {{"start", sim.time() + s.simulation_time}});
  if (s.shift_origin) {
    for (const auto& l : network.layers()) {
      if (!l.input_layer) continue;
      for (NodeId id : l.ids(l.stimulator)) sim.set_status(id, {{"origin", s.start}});
    }
  }
  for (std::size_t i = 0; i < s.unit_changes.size(); ++i) apply_unit_change(s.unit_changes[i], i, s, network, sim);
  for (const auto& ch : s.synapse_changes) {
    sim.set_synapse_status(ch.synapse_model, ch.params);
    for (const auto& copy : network.synapse_copies(ch.synapse_model)) sim.set_synapse_status(copy, ch.params);
  }
  sim.simulate(s.simulation_time);
}

}  // namespace nestling::frontend
