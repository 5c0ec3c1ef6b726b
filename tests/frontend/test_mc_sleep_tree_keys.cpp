// deNEST's MC_sleep-branch tree features: multisynapse projections and the subnet_x_y_max unit
// change (spec mc-sleep §5).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>

#include "frontend/simulation.hpp"

namespace fs = std::filesystem;
using namespace nestling;

namespace {

// A 3×3 periodic layer of parrots; `dummy` connects every unit to its 4 grid neighbours with a
// labelled weight-0 static synapse (deterministic: no kernel), `copy` is the projection model
// under test, written after its own name sorts before the dummy's.
std::string tree_with(const std::string& copy_model, const std::string& copy_item = "") {
  return R"(
kernel:
  params: {nest_seed: 1, extension_modules: [htneuronmodule]}  # the sleep model's module is built in
  nest_params: {resolution: 0.1, print_time: true}
simulation:
  params: {sessions: [s]}
session_models:
  s: {params: {simulation_time: 1.0}}
network:
  neuron_models:
    p: {params: {nest_model: parrot_neuron}}
  synapse_models:
    dummy_syn: {params: {nest_model: static_synapse_lbl}, nest_params: {synapse_label: 100}}
    other_lbl: {params: {nest_model: static_synapse_lbl}, nest_params: {synapse_label: 7}}
    copied_syn: {params: {nest_model: ht_synapse}}
  layers:
    l:
      params: {populations: {p: 1}}
      nest_params: {rows: 3, columns: 3, extent: [3.0, 3.0], edge_wrap: true}
  projection_models:
    dummy:
      nest_params:
        synapse_model: dummy_syn
        connection_type: divergent
        weights: 0.0
        mask: {doughnut: {inner_radius: 0.5, outer_radius: 1.1}}
    unrelated:
      nest_params: {synapse_model: other_lbl, connection_type: divergent, mask: {circular: {radius: 0.1}}}
)" + copy_model + R"(
  topology:
    params:
      projections:
      - {source_layers: [l], source_population: p, target_layers: [l], target_population: p, projection_model: dummy}
      - {source_layers: [l], source_population: p, target_layers: [l], target_population: p, projection_model: unrelated}
)" + copy_item;
}

const std::string copy_item =
    "      - {source_layers: [l], source_population: null, target_layers: [l], target_population: p, "
    "projection_model: a_copy}\n";

fs::path write(const std::string& name, const std::string& text) {
  const fs::path dir = fs::temp_directory_path() / ("nestling_multisynapse_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "tree.yml") << text;
  return dir / "tree.yml";
}

std::unique_ptr<frontend::Simulation> build(const fs::path& tree) {
  frontend::RunOptions opts;
  opts.output_dir = (tree.parent_path() / "out").string();
  return std::make_unique<frontend::Simulation>(frontend::ParamsTree::load(tree.string()), opts);
}

std::string error_of(const std::string& text) {
  try {
    build(write("error", text));
  } catch (const UserError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("a multisynapse projection copies the labelled pairs onto another synapse model", "[frontend][multisynapse]") {
  for (bool symmetric : {false, true}) {
    const std::string model = std::string(R"(
    a_copy:
      params: {type: multisynapse, query_synapse_label: 100, make_symmetric: )") +
                              (symmetric ? "true" : "false") + R"(}
      nest_params: {model: copied_syn, weight: 0.5, P: 0.25}
)";
    auto sim = build(write(symmetric ? "symmetric" : "plain", tree_with(model, copy_item)));
    Simulator& s = sim->simulator();
    const auto dummies = s.get_connections(0, 0, "dummy_syn");
    const auto copies = s.get_connections(0, 0, "copied_syn");
    REQUIRE(dummies.size() == 36);  // 9 units × 4 neighbours
    std::multiset<std::pair<NodeId, NodeId>> want, got;
    for (const auto& c : dummies) {
      want.insert({c.source, c.target});
      if (symmetric) want.insert({c.target, c.source});
    }
    for (const auto& c : copies) {
      got.insert({c.source, c.target});
      CHECK(c.weight == 0.5);
      CHECK(c.state.at("P").as_double() == 0.25);
    }
    CHECK(got == want);
    // created after the topological projections although its name sorts first
    const auto& projections = sim->network().projections();
    CHECK(projections.back().model == "a_copy");
    CHECK(projections.back().connections == (symmetric ? 72u : 36u));
  }
}

TEST_CASE("multisynapse projections are checked as deNEST's MC_sleep branch checks them", "[frontend][multisynapse]") {
  CHECK_THAT(error_of(tree_with(R"(
    a_copy:
      params: {type: multisynapse, query_synapse_label: 55}
      nest_params: {model: copied_syn}
)",
                                copy_item)),
             Catch::Contains("network/projection_models/a_copy/params/query_synapse_label: no connection labelled 55"));
  CHECK_THAT(error_of(tree_with(R"(
    a_copy:
      params: {type: multisynapse}
      nest_params: {model: copied_syn}
)")),
             Catch::Contains("network/projection_models/a_copy/params/query_synapse_label: is missing"));
  CHECK_THAT(error_of(tree_with(R"(
    a_copy:
      params: {type: multisynapse, query_synapse_label: 100}
      nest_params: {model: copied_syn, connection_type: divergent}
)")),
             Catch::Contains("network/projection_models/a_copy/nest_params/connection_type: is reserved"));
  CHECK_THAT(error_of(tree_with(R"(
    a_copy:
      params: {type: fancy}
      nest_params: {model: copied_syn}
)")),
             Catch::Contains("network/projection_models/a_copy/params/type: must be 'topological'"));
  CHECK_THAT(error_of(tree_with(R"(
    a_copy:
      params: {type: multisynapse, query_synapse_label: 100}
      nest_params: {model: copied_syn, weight: heavy}
)",
                                copy_item)),
             Catch::Contains("network/projection_models/a_copy/nest_params/weight"));
}

TEST_CASE("subnet_x_y_max changes only the units up to a row and a column", "[frontend][subnet]") {
  const std::string tree = R"(
kernel:
  nest_params: {resolution: 0.1}
simulation:
  params: {sessions: [s]}
session_models:
  s:
    params:
      simulation_time: 1.0
      unit_changes:
      - {layers: [l], population_name: n, change_type: multiplicative, subnet_x_y_max: [1, 2],
         nest_params: {g_KL: 2.0}}
network:
  neuron_models:
    n: {params: {nest_model: ht_neuron}, nest_params: {g_KL: 0.5}}
  layers:
    l:
      params: {populations: {n: 2}}
      nest_params: {rows: 3, columns: 4}
)";
  auto sim = build(write("subnet", tree));
  REQUIRE(sim->run());
  const auto& layer = sim->network().layer("l");
  const auto ids = layer.ids("n");
  REQUIRE(ids.size() == 24);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const std::size_t p = i % 12, row = p % 3, col = p / 3;  // NEST's column-major positions
    INFO("unit " << i << " at row " << row << ", column " << col);
    CHECK(sim->simulator().get_status(ids[i]).at("g_KL").as_double() == (row <= 1 && col <= 2 ? 1.0 : 0.5));
  }
  auto with = [&](const std::string& key) {
    std::string t = tree;
    t.replace(t.find("subnet_x_y_max: [1, 2]"), 22, key);
    return error_of(t);
  };
  CHECK_THAT(with("subnet_x_y_max: [1]"), Catch::Contains("unit_changes/0/subnet_x_y_max: must be [max_row, max_col]"));
  CHECK_THAT(with("subnet_x_y_max: [1, 2], from_array: true"), Catch::Contains("cannot be combined with from_array"));
}
