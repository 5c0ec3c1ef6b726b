// Running deNEST trees through the CLI: sessions, unit and synapse changes, the older vocabulary,
// output-directory safety, HDF5 output and interruption.
#include <catch2/catch.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "frontend/simulation.hpp"
#include "tests/frontend/cli_support.hpp"

namespace fs = std::filesystem;
using nestling::testing::Outcome;
using nestling::testing::slurp;

namespace {

Outcome run(const std::string& args) { return nestling::testing::run_nestling(args); }

// A fresh directory with `tree.yml` holding `text`.
fs::path write_tree(const std::string& name, const std::string& text) {
  const fs::path dir = fs::temp_directory_path() / ("nestling_run_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "tree.yml") << text;
  return dir;
}

// A layer of parrots fed by spike generators, recorded by a spike detector; sessions as given.
std::string parrot_tree(const std::string& sessions, const std::string& session_models, const std::string& extra = "") {
  return R"(
kernel:
  params: {nest_seed: 3}
  nest_params: {resolution: 0.1, overwrite_files: true}
simulation:
  params: {sessions: )" + sessions + R"(}
session_models:
)" + session_models + R"(
network:
  neuron_models:
    gen: {params: {nest_model: spike_generator}}
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
)" + extra;
}

std::vector<double> spike_times(const fs::path& out) {
  std::vector<double> t;
  for (const auto& e : fs::directory_iterator(out / "data"))
    if (e.path().extension() == ".gdf") {
      std::ifstream in(e.path());
      long gid;
      double time;
      while (in >> gid >> time) t.push_back(time);
    }
  std::sort(t.begin(), t.end());
  return t;
}

}  // namespace

TEST_CASE("shift_origin: spike times count from each session's start", "[frontend][sessions]") {
  const fs::path dir = write_tree("shift", parrot_tree("[a, a]", R"(
  a:
    params:
      simulation_time: 20.0
      shift_origin: true
      unit_changes:
      - {layers: [inp], population_name: gen, nest_params: {spike_times: [1.0, 5.0]}}
)"));
  const Outcome o = run("run -q " + (dir / "tree.yml").string() + " -o " + (dir / "out").string());
  INFO(o.output);
  REQUIRE(o.status == 0);
  // 4 parrots; spikes at 1, 5 and 21, 25, each plus the 1 ms parrot delay
  const auto t = spike_times(dir / "out");
  REQUIRE(t.size() == 16);
  CHECK(t.front() == Approx(2.0));
  CHECK(t.back() == Approx(26.0));
  CHECK(slurp(dir / "out" / "session_times.yml") == "00_a: !!python/tuple\n- 0.0\n- 20.0\n01_a: !!python/tuple\n- 20.0\n- 40.0\n");
}

TEST_CASE("record: false sessions are not recorded; simulation_time is truncated to whole ms", "[frontend][sessions]") {
  const fs::path dir = write_tree("record", parrot_tree("[quiet, loud]", R"(
  params:
    shift_origin: true
    unit_changes:
    - {layers: [inp], population_name: gen, nest_params: {spike_times: [1.0]}}
  quiet:
    params: {simulation_time: 10.7, record: false}
  loud:
    params: {simulation_time: 10.0}
)"));
  const Outcome o = run("run -q " + (dir / "tree.yml").string() + " -o " + (dir / "out").string());
  INFO(o.output);
  REQUIRE(o.status == 0);
  const auto t = spike_times(dir / "out");
  REQUIRE(t.size() == 4);  // only the second session's spikes (at 10 + 1 + 1 ms)
  CHECK(t.front() == Approx(12.0));
}

TEST_CASE("unit changes: constant, multiplicative, additive, from_array and proportion", "[frontend][sessions]") {
  const std::string tree = R"(
kernel:
  nest_params: {resolution: 0.1, overwrite_files: true}
simulation:
  params: {sessions: [s]}
session_models:
  s:
    params:
      simulation_time: 2.0  # samples of the last min_delay arrive only with a later run (NEST 2.20)
      unit_changes:
      - {layers: [l], population_name: n, nest_params: {tau_m: 10.0}}
      - {layers: [l], population_name: n, change_type: multiplicative, nest_params: {g_KL: 2.0}}
      - {layers: [l], population_name: n, change_type: additive, nest_params: {theta_eq: 1.0}}
      - {layers: [l], population_name: n, from_array: true, nest_params: {V_m: v.npy}}
network:
  neuron_models:
    n: {params: {nest_model: ht_neuron}}
  recorder_models:
    mm: {params: {nest_model: multimeter}, nest_params: {record_from: [V_m], interval: 0.1, record_to: [file]}}
  layers:
    l:
      params: {populations: {n: 2}}
      nest_params: {rows: 2, columns: 3}
  recorders:
    params:
      population_recorders:
      - {layers: [l], populations: null, model: mm}
)";
  const fs::path dir = write_tree("unit_changes", tree);
  // v.npy: shape (2, 3, 2), V_m = -60 - (row*3 + col)*2 - k
  {
    std::vector<double> v;
    for (int r = 0; r < 2; ++r)
      for (int c = 0; c < 3; ++c)
        for (int k = 0; k < 2; ++k) v.push_back(-60.0 - (r * 3 + c) * 2 - k);
    nestling::testing::write_npy(dir / "v.npy", {2, 3, 2}, v);
  }
  const Outcome o = run("run -q " + (dir / "tree.yml").string() + " -o " + (dir / "out").string() + " -i " + dir.string());
  INFO(o.output);
  REQUIRE(o.status == 0);
  // The first sample (0.1 ms) of each unit reflects its own initial V_m: ids follow NEST's layout
  // (k·N + col·rows + row), the array is indexed (row, col, k).
  std::map<long, double> first;
  std::ifstream in(dir / "out" / "data" / "mm_l_n-14-0.dat");
  long gid;
  double t, v;
  while (in >> gid >> t >> v)
    if (!first.count(gid)) first[gid] = v;
  REQUIRE(first.size() == 12);
  // gid 2 = k 0, position 0 = (row 0, col 0): V_m -60 relaxes only a little within 0.1 ms
  CHECK(first.at(2) == Approx(-60.0).margin(0.5));
  // gid 2 + 6 + 5 = 13: k 1, p 5 = col 2, row 1 → -60 - (1*3+2)*2 - 1 = -71
  CHECK(first.at(13) == Approx(-71.0).margin(0.5));
}

TEST_CASE("the older vocabulary: connection_models, connections, connection_model, population/params", "[frontend]") {
  const std::string tree = R"(
kernel:
  nest_params: {resolution: 0.1, overwrite_files: true}
simulation:
  params: {sessions: [s]}
session_models:
  s:
    params:
      simulation_time: 5.0
      unit_changes:
      - {layers: [inp], population: gen, params: {spike_times: [1.0]}, proportion: 0.5}
network:
  neuron_models:
    gen: {params: {nest_model: spike_generator}}
  recorder_models:
    det: {params: {nest_model: spike_detector}, nest_params: {record_to: [file]}}
  layers:
    inp:
      params: {type: InputLayer, populations: {gen: 1}}
      nest_params: {rows: 4, columns: 4, extent: [4.0, 4.0]}
    out:
      params: {populations: {parrot_neuron: 1}}
      nest_params: {rows: 4, columns: 4, extent: [4.0, 4.0]}
  connection_models:
    one_to_one:
      nest_params: {connection_type: convergent, synapse_model: static_synapse, mask: {circular: {radius: 0.1}}}
  topology:
    params:
      connections:
      - {source_layers: [inp], source_population: parrot_neuron, target_layers: [out], target_population: null,
         connection_model: one_to_one}
  recorders:
    params:
      population_recorders:
      - {layers: [out], populations: null, model: det}
)";
  const fs::path dir = write_tree("old_vocabulary", tree);
  const Outcome o = run("run -q " + (dir / "tree.yml").string() + " -o " + (dir / "out").string());
  INFO(o.output);
  REQUIRE(o.status == 0);
  // half of the 16 generators fire once, relayed by parrots twice: 8 spikes at 3.0 ms
  const auto t = spike_times(dir / "out");
  CHECK(t.size() == 8);
  for (double x : t) CHECK(x == Approx(3.0));
  // outputs name things as the tree does
  const std::string written = slurp(dir / "out" / "parameter_tree.yml");
  CHECK(written.find("connection_models:") != std::string::npos);
  CHECK(written.find("connection_model: one_to_one") != std::string::npos);
}

TEST_CASE("an output directory with a previous run is refused unless overwrite_files or --force", "[frontend][output]") {
  std::string tree = parrot_tree("[a]", "  a: {params: {simulation_time: 2.0}}\n");
  const std::size_t pos = tree.find(", overwrite_files: true");
  tree.erase(pos, std::string(", overwrite_files: true").size());
  const fs::path dir = write_tree("refuse", tree);
  const std::string args = (dir / "tree.yml").string() + " -o " + (dir / "out").string();
  REQUIRE(run("run -q " + args).status == 0);
  std::ofstream(dir / "out" / "my_notes.txt") << "keep me\n";
  const std::string before = slurp(dir / "out" / "session_times.yml");
  const Outcome refused = run("run -q " + args);
  CHECK(refused.status == 2);
  CHECK(refused.output.find("previous run") != std::string::npos);
  CHECK(slurp(dir / "out" / "session_times.yml") == before);
  const Outcome forced = run("run -q --force " + args);
  CHECK(forced.status == 0);
  CHECK(slurp(dir / "out" / "my_notes.txt") == "keep me\n");  // files nestling did not write stay
  for (const auto& e : fs::directory_iterator(dir))
    CHECK(e.path().filename().string().find("nestling-partial") == std::string::npos);
}

TEST_CASE("SIGINT stops at a slice boundary with complete, loadable outputs and exit 130", "[frontend][interrupt]") {
  const fs::path dir = write_tree("interrupt", R"(
kernel:
  nest_params: {resolution: 0.1, overwrite_files: true}
simulation:
  params: {sessions: [long, after]}
session_models:
  long: {params: {simulation_time: 100000.0}}
  after: {params: {simulation_time: 10.0}}
network:
  neuron_models:
    n: {params: {nest_model: ht_neuron}, nest_params: {V_m: -50.0}}
  recorder_models:
    det: {params: {nest_model: spike_detector}, nest_params: {record_to: [file, hdf5]}}
    mm: {params: {nest_model: multimeter}, nest_params: {record_from: [V_m], interval: 1.0, record_to: [file]}}
  layers:
    l:
      params: {populations: {n: 1}}
      nest_params: {rows: 10, columns: 10}
  recorders:
    params:
      population_recorders:
      - {layers: [l], populations: null, model: det}
      - {layers: [l], populations: null, model: mm}
)");
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::execl(NESTLING_BINARY, "nestling", "run", "-q", (dir / "tree.yml").c_str(), "-o", (dir / "out").c_str(),
            static_cast<char*>(nullptr));
    ::_exit(99);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  ::kill(pid, SIGINT);
  int raw = 0;
  ::waitpid(pid, &raw, 0);
  REQUIRE(WIFEXITED(raw));
  CHECK(WEXITSTATUS(raw) == 130);
  const fs::path out = dir / "out";
  REQUIRE(fs::exists(out / "parameter_tree.yml"));
  REQUIRE(fs::exists(out / "data" / "det_l_n.yml"));
  // session_times.yml lists what ran: the interrupted session, ending where it stopped
  const std::string times = slurp(out / "session_times.yml");
  CHECK(times.find("00_long") != std::string::npos);
  CHECK(times.find("01_after") == std::string::npos);
  CHECK(times.find("- 100000.0") == std::string::npos);
  // every text row is complete
  std::size_t rows = 0;
  for (const auto& e : fs::directory_iterator(out / "data")) {
    if (e.path().extension() != ".dat" && e.path().extension() != ".gdf") continue;
    std::ifstream in(e.path());
    for (std::string line; std::getline(in, line); ++rows) CHECK(line.back() == '\t');
  }
  CHECK(rows > 0);
  CHECK(fs::exists(out / "data" / "det_l_n.h5"));
  for (const auto& e : fs::directory_iterator(dir))
    CHECK(e.path().filename().string().find("nestling-partial") == std::string::npos);
}

TEST_CASE("a stop before anything was simulated leaves the output directory as it was", "[frontend][interrupt]") {
  const fs::path dir = write_tree("early_stop", parrot_tree("[a]", "  a: {params: {simulation_time: 5.0}}\n"));
  const std::string tree = (dir / "tree.yml").string();
  REQUIRE(run("run -q " + tree + " -o " + (dir / "out").string()).status == 0);
  const std::string before = slurp(dir / "out" / "session_times.yml");
  nestling::frontend::RunOptions opts;
  opts.output_dir = (dir / "out").string();
  opts.force = true;
  nestling::frontend::Simulation sim(nestling::frontend::ParamsTree::load(tree), opts);
  sim.request_stop();
  CHECK_FALSE(sim.run());
  CHECK(slurp(dir / "out" / "session_times.yml") == before);
  for (const auto& e : fs::directory_iterator(dir / "out"))
    CHECK(e.path().filename().string().find("nestling-partial") == std::string::npos);
}
