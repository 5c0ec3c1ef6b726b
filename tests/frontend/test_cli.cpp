// The everyday command line: several trees and --set (replayed from parameter_tree.yml), the
// activity table and --stats, warnings for runs that produce nothing, and text laid out to fit.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "tests/frontend/cli_support.hpp"

namespace fs = std::filesystem;
using nestling::testing::Outcome;
using nestling::testing::run_nestling;
using nestling::testing::slurp;

namespace {

fs::path fresh_dir(const std::string& name) {
  return nestling::testing::fresh_directory("cli_" + name);
}

// 2x2 spike generators (each firing at 1, 2 and 3 ms of every session) and their parrots.
const char* const kParrots = R"(
kernel:
  params: {nest_seed: 3}
  nest_params: {resolution: 0.1}
simulation:
  params: {sessions: [a, b]}
session_models:
  params: {simulation_time: 10.0, shift_origin: true}
  a: {}
  b: {}
network:
  neuron_models:
    gen: {params: {nest_model: spike_generator}, nest_params: {spike_times: [1.0, 2.0, 3.0]}}
  recorder_models:
    det: {params: {nest_model: spike_detector}, nest_params: {record_to: [file]}}
  layers:
    inp:
      params: {type: InputLayer, populations: {gen: 1}}
      nest_params: {rows: 2, columns: 2}
  recorders:
    params:
      population_recorders:
      - {layers: [inp], populations: null, model: det}
)";

std::size_t lines_of(const fs::path& file) {
  const std::string s = slurp(file);
  return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n'));
}

}  // namespace

TEST_CASE("several trees merge in order, --set wins, and parameter_tree.yml replays the run", "[frontend][cli]") {
  const fs::path dir = fresh_dir("overrides");
  std::ofstream(dir / "base.yml") << kParrots;
  // The second tree overrides the spike times and adds a session; --set overrides it again.
  std::ofstream(dir / "more.yml") << R"(
simulation:
  params: {sessions: [a, b, c]}
session_models:
  c: {params: {simulation_time: 20.0}}
network:
  neuron_models:
    gen: {nest_params: {spike_times: [1.0, 2.0]}}
)";
  const std::string trees = (dir / "base.yml").string() + " " + (dir / "more.yml").string();
  const Outcome first = run_nestling("run -q " + trees + " -o " + (dir / "first").string() +
                                     " --set session_models/c/params/simulation_time=5.0" +
                                     " --set network/layers/inp/nest_params/rows=3");
  INFO(first.output);
  REQUIRE(first.status == 0);
  const std::string times = slurp(dir / "first" / "session_times.yml");
  CHECK(times ==
        "00_a: !!python/tuple\n- 0.0\n- 10.0\n01_b: !!python/tuple\n- 10.0\n- 20.0\n02_c: !!python/tuple\n- 20.0\n- "
        "25.0\n");
  // 3x2 generators, 2 spikes in each of 3 sessions (shift_origin is inherited by c)
  fs::path gdf;
  for (const auto& e : fs::directory_iterator(dir / "first" / "data"))
    if (e.path().extension() == ".gdf") gdf = e.path();
  CHECK(lines_of(gdf) == 36);
  const std::string tree = slurp(dir / "first" / "parameter_tree.yml");
  CHECK(tree.find("spike_times:\n        - 1.0\n        - 2.0\n") != std::string::npos);
  CHECK(tree.find("rows: 3") != std::string::npos);
  CHECK(tree.find("simulation_time: 5.0") != std::string::npos);

  const Outcome replay =
      run_nestling("run -q " + (dir / "first" / "parameter_tree.yml").string() + " -o " + (dir / "replay").string());
  INFO(replay.output);
  REQUIRE(replay.status == 0);
  CHECK(slurp(dir / "replay" / "session_times.yml") == times);
  auto without_output_dir = [](std::string t) {  // -o is written back, as deNEST does
    const std::size_t at = t.find("output_dir: ");
    return at == std::string::npos ? t : t.erase(at, t.find('\n', at) - at);
  };
  CHECK(without_output_dir(slurp(dir / "replay" / "parameter_tree.yml")) == without_output_dir(tree));
  CHECK(slurp(dir / "replay" / "data" / gdf.filename()) == slurp(gdf));
}

TEST_CASE("--set reaches keys inside mappings and refuses paths without a data key", "[frontend][cli]") {
  const fs::path dir = fresh_dir("set_nested");
  std::ofstream(dir / "tree.yml") << kParrots;
  const Outcome o = run_nestling("validate " + (dir / "tree.yml").string() +
                                 " --set 'network/recorder_models/det/nest_params/record_to=[file, hdf5]'" +
                                 " --set network/layers/inp/params/populations/gen=2");
  INFO(o.output);
  CHECK(o.status == 0);
  CHECK(o.output.find("inp    gen            spike_generator      8") != std::string::npos);
  const Outcome bad = run_nestling("validate " + (dir / "tree.yml").string() + " --set network/layers/inp=3");
  CHECK(bad.status == 2);
  CHECK(bad.output ==
        "nestling: --set: 'network/layers/inp' must name a node, then params or nest_params, then a key, e.g. "
        "network/layers/l1/nest_params/rows\n");
}

TEST_CASE("the end of a run shows spikes and mean rate per population and session, also in --stats",
          "[frontend][cli]") {
  const fs::path dir = fresh_dir("activity");
  std::ofstream(dir / "tree.yml") << kParrots;
  const Outcome o = run_nestling("run " + (dir / "tree.yml").string() + " -o " + (dir / "out").string() + " --stats " +
                                 (dir / "stats.yml").string());
  INFO(o.output);
  REQUIRE(o.status == 0);
  // Each of the 4 parrots repeats 3 spikes per 10 ms session: 300 Hz.
  CHECK(o.output.find("spikes and mean rate per population and session:\n"
                      "  session  layer  population     nodes  spikes  rate (Hz)\n"
                      "  00_a     inp    parrot_neuron      4      12     300.00\n"
                      "  01_b     inp    parrot_neuron      4      12     300.00\n") != std::string::npos);
  const std::string stats = slurp(dir / "stats.yml");
  CHECK(stats.find(
            "activity:\n  00_a:\n    inp/parrot_neuron:\n      nodes: 4\n      spikes: 12\n      rate_hz: 300.0\n") !=
        std::string::npos);
}

TEST_CASE("--timings and --stats show each thread's busy time (updating and delivering)", "[frontend][cli]") {
  const fs::path dir = fresh_dir("busy");
  std::ofstream(dir / "tree.yml") << kParrots;
  const Outcome o = run_nestling("run " + (dir / "tree.yml").string() + " -o " + (dir / "out").string() +
                                 " --threads 2 --timings --stats " + (dir / "stats.yml").string());
  INFO(o.output);
  REQUIRE(o.status == 0);
  const std::string label = "busy per thread (s, updating and delivering): ";
  const auto at = o.output.find(label);
  REQUIRE(at != std::string::npos);
  std::istringstream line(o.output.substr(at + label.size()));
  double busy[2] = {-1, -1};
  line >> busy[0] >> busy[1];
  CHECK(busy[0] >= 0.0);
  CHECK(busy[1] >= 0.0);
  const YAML::Node stats = YAML::LoadFile((dir / "stats.yml").string());
  const YAML::Node per_thread = stats["phases_s"]["busy_per_thread"];
  REQUIRE(per_thread.size() == 2);
  for (const auto& b : per_thread) {
    CHECK(b.as<double>() >= 0.0);
    CHECK(b.as<double>() <= stats["simulate_s"].as<double>());
  }
}

TEST_CASE("runs that produce nothing are warned about; sessions: [] lists no data files", "[frontend][cli]") {
  const fs::path dir = fresh_dir("empty_runs");
  std::ofstream(dir / "empty.yml") << "# nothing yet\n";
  const Outcome empty = run_nestling("run " + (dir / "empty.yml").string() + " -o " + (dir / "out_empty").string());
  INFO(empty.output);
  CHECK(empty.status == 0);
  CHECK(empty.output.find("warning: " + (dir / "empty.yml").string() + ": the file holds no tree (it is empty)") !=
        std::string::npos);
  CHECK(empty.output.find("warning: network/layers: the tree defines no layers") != std::string::npos);
  CHECK(empty.output.find("warning: simulation/params/sessions: no sessions: nothing will be simulated") !=
        std::string::npos);

  std::string tree = kParrots;
  tree.replace(tree.find("sessions: [a, b]"), std::string("sessions: [a, b]").size(), "sessions: []");
  tree.replace(tree.find("record_to: [file]"), std::string("record_to: [file]").size(), "record_to: [memory]");
  std::ofstream(dir / "tree.yml") << tree;
  const Outcome none = run_nestling("run " + (dir / "tree.yml").string() + " -o " + (dir / "out").string());
  INFO(none.output);
  CHECK(none.status == 0);
  CHECK(none.output.find("no sessions: nothing will be simulated") != std::string::npos);
  CHECK(none.output.find("network/recorder_models/det/nest_params/record_to: recorder model det writes to no file "
                         "(record_to: ['memory'])") != std::string::npos);
  const std::string metadata = slurp(dir / "out" / "data" / "det_inp_parrot_neuron.yml");
  CHECK(metadata.find("filenames: []") != std::string::npos);

  // With a file back-end but no session, the predicted file was never written: not listed either.
  std::string with_file = kParrots;
  with_file.replace(with_file.find("sessions: [a, b]"), std::string("sessions: [a, b]").size(), "sessions: []");
  std::ofstream(dir / "file_tree.yml") << with_file;
  REQUIRE(run_nestling("run -q " + (dir / "file_tree.yml").string() + " -o " + (dir / "out_file").string()).status ==
          0);
  CHECK(slurp(dir / "out_file" / "data" / "det_inp_parrot_neuron.yml").find("filenames: []") != std::string::npos);
  for (const auto& e : fs::directory_iterator(dir / "out_file" / "data")) CHECK(e.path().extension() == ".yml");
}

TEST_CASE("models wraps descriptions at the terminal width without cutting words", "[frontend][cli]") {
  const Outcome o = nestling::testing::run_command("COLUMNS=60 " + std::string(NESTLING_BINARY) + " models");
  REQUIRE(o.status == 0);
  std::istringstream lines(o.output);
  std::string all_words;
  for (std::string line; std::getline(lines, line);) {
    CHECK(line.size() <= 60);
    all_words += line + " ";
  }
  // ht_neuron's first sentence, every word whole (in order, however the lines break).
  std::istringstream words(all_words);
  std::string joined, w;
  while (words >> w) joined += w + " ";
  CHECK(joined.find("Hill & Tononi (2005) neuron: leak, threshold dynamics, post-spike K current, "
                    "AMPA/NMDA/GABA_A/GABA_B beta-function conductances") != std::string::npos);
}

TEST_CASE("validate keeps its columns aligned with long names", "[frontend][cli]") {
  const fs::path dir = fresh_dir("validate_columns");
  std::string tree = kParrots;
  const std::string long_name = "input_layer_with_a_rather_long_descriptive_name_for_the_thalamus";
  tree.replace(tree.find("    inp:"), std::string("    inp:").size(), "    " + long_name + ":");
  tree.replace(tree.find("layers: [inp]"), std::string("layers: [inp]").size(), "layers: [" + long_name + "]");
  std::ofstream(dir / "tree.yml") << tree;
  const Outcome o = run_nestling("validate " + (dir / "tree.yml").string());
  INFO(o.output);
  REQUIRE(o.status == 0);
  std::istringstream lines(o.output);
  std::vector<std::string> table;
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("layer", 0) == 0 || line.rfind(long_name, 0) == 0) table.push_back(line);
  REQUIRE(table.size() == 3);                                               // header, the generators, their parrots
  for (const auto& row : table) CHECK(row.size() == table.front().size());  // the last column ends in one place
  CHECK(table[1].find("spike_generator") == table[0].find("model"));
}

TEST_CASE("validate warns about a negative weight onto a conductance receptor, and accepts it", "[frontend][cli]") {
  const std::string tree = std::string(NESTLING_TEST_DATA) + "/denest_tutorial/params/tree_paths.yml";
  const Outcome o =
      run_nestling("validate " + tree + " --set network/projection_models/proj_2_GABAA/nest_params/weights=-2.0");
  INFO(o.output);
  CHECK(o.status == 0);
  CHECK(o.output.rfind("warning: --set: network/projection_models/proj_2_GABAA/nest_params/weights: negative weight -2 "
                       "onto conductance receptor GABA_A of ht_neuron (proj_2_GABAA-l1-l1_inh-l1-l1_exc): NEST accepts "
                       "it, but a negative conductance can make the neuron diverge\n",
                       0) == 0);
}

TEST_CASE("NESTLING_SIMD picks the integration path; a bad one is one line and status 2", "[frontend][cli]") {
  const fs::path dir = fresh_dir("simd_env");
  std::ofstream(dir / "tree.yml") << kParrots;
  const std::string binary = NESTLING_BINARY;
  const Outcome bad = nestling::testing::run_command("NESTLING_SIMD=avx9 " + binary + " run -q " +
                                                     (dir / "tree.yml").string() + " -o " + (dir / "out").string());
  CHECK(bad.status == 2);
  CHECK(bad.output == "nestling: NESTLING_SIMD: unknown path 'avx9' (avx512, avx2, portable, scalar)\n");
  CHECK_FALSE(fs::exists(dir / "out"));
  const Outcome scalar = nestling::testing::run_command("NESTLING_SIMD=scalar " + binary + " run -q " +
                                                        (dir / "tree.yml").string() + " -o " + (dir / "out").string());
  CHECK(scalar.status == 0);
}
