// Runs that cannot go on: a node whose dynamics diverge (exit 3), stop requests inside a long
// slice, and SIGINT/SIGTERM while the tree loads or the network builds (exit 130/143).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/frontend/cli_support.hpp"

namespace fs = std::filesystem;
using nestling::testing::Outcome;
using nestling::testing::slurp;

namespace {

fs::path fresh_dir(const std::string& name) {
  return nestling::testing::fresh_directory("fail_" + name);
}

// A started `nestling ARGS...` with stderr going to `log`.
struct Child {
  pid_t pid = -1;
  std::chrono::steady_clock::time_point started;
};

Child start(const std::vector<std::string>& args, const fs::path& log) {
  Child c;
  c.started = std::chrono::steady_clock::now();
  c.pid = ::fork();
  REQUIRE(c.pid >= 0);
  if (c.pid == 0) {
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>("nestling"));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::FILE* err = std::freopen(log.c_str(), "w", stderr);
    (void)err;
    ::execv(NESTLING_BINARY, argv.data());
    ::_exit(99);
  }
  return c;
}

int wait_status(const Child& c) {
  int raw = 0;
  ::waitpid(c.pid, &raw, 0);
  return WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
}

// Waits (up to 20 s) until the child runs nestling and catches `signal` (Linux: /proc/PID/exe
// and SigCgt in /proc/PID/status), so that a signal sent next meets nestling's handler however
// slowly the process starts (the sanitized build on a loaded machine takes longer than any fixed
// pause). Before the exec the child is a copy of this test, which catches signals too.
bool wait_for_handler(const Child& c, int signal) {
  const fs::path proc = "/proc/" + std::to_string(c.pid);
  const fs::path binary = fs::canonical(NESTLING_BINARY);
  for (int i = 0; i < 2000; ++i) {
    std::error_code ec;
    if (fs::read_symlink(proc / "exe", ec) != binary) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    std::ifstream status(proc / "status");
    for (std::string line; std::getline(status, line);)
      if (line.rfind("SigCgt:", 0) == 0 && (std::stoull(line.substr(7), nullptr, 16) >> (signal - 1)) & 1u) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

std::size_t lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

// A layer of 20000 parrots, each with `incoming` connections from the others.
std::string dense_parrots(int incoming) {
  return R"(
simulation:
  params: {sessions: [s]}
session_models:
  s: {params: {simulation_time: 10.0}}
network:
  layers:
    l:
      params: {populations: {parrot_neuron: 5}}
      nest_params: {rows: 40, columns: 100, extent: [40.0, 100.0], edge_wrap: true}
  projection_models:
    p: {nest_params: {connection_type: convergent, synapse_model: static_synapse, number_of_connections: )" +
         std::to_string(incoming) + R"(}}
  topology:
    params:
      projections:
      - {source_layers: [l], source_population: parrot_neuron, target_layers: [l], target_population: parrot_neuron,
         projection_model: p}
)";
}

}  // namespace

TEST_CASE("a GABA_A weight of -2 in the deNEST tutorial stops the run with exit 3 and one line naming the node",
          "[frontend][diverge]") {
  const fs::path dir = fresh_dir("tutorial_negative_gaba");
  const std::string tree = std::string(NESTLING_TEST_DATA) + "/denest_tutorial/params/tree_paths.yml";
  const Outcome o =
      nestling::testing::run_nestling("run -q " + tree + " -o " + (dir / "out").string() +
                                      " --set network/projection_models/proj_2_GABAA/nest_params/weights=-2.0 --set "
                                      "session_models/warmup/params/record=true");
  INFO(o.output);
  CHECK(o.status == 3);
  CHECK(lines(o.output) == 1);
  CHECK(o.output.rfind("nestling: node 53 (ht_neuron, layer l1, population l1_exc) diverged at 6.755 ms: the "
                       "integration took more than 100000 sub-steps within one 0.5 ms step",
                       0) == 0);
  CHECK(o.output.find("state variable m_Ih = ") != std::string::npos);
  CHECK(o.output.find("the outputs up to 6.0 ms are in " + (dir / "out").string()) != std::string::npos);
  // What ran before the failing slice is complete and in place.
  const fs::path out = dir / "out";
  CHECK(slurp(out / "session_times.yml") == "00_warmup: !!python/tuple\n- 0.0\n- 6.0\n");
  CHECK(slurp(out / "parameter_tree.yml").find("weights: -2.0") != std::string::npos);
  std::size_t rows = 0;
  for (const auto& e : fs::directory_iterator(out / "data")) {
    if (e.path().extension() != ".dat" && e.path().extension() != ".gdf") continue;
    std::ifstream in(e.path());
    for (std::string line; std::getline(in, line); ++rows) {
      CHECK(line.back() == '\t');
      const double time = std::stod(line.substr(line.find('\t') + 1));
      CHECK(time <= 6.0);
    }
  }
  CHECK(rows > 0);
  for (const auto& e : fs::directory_iterator(dir))
    CHECK(e.path().filename().string().find("nestling-partial") == std::string::npos);
}

TEST_CASE("a stop request inside a long slice ends the run long before the slice would end", "[frontend][interrupt]") {
  // min_delay is 200 ms (2000 steps; no recorder with shorter delays) and tau_m so short that each
  // neuron-step takes many sub-steps: one slice of 1600 neurons takes ~13 s in a release build.
  // The stop is honoured between blocks of 8 neurons (65 ms each here, a few times that under
  // the sanitizers); stiffer neurons would make the blocks, not the slice, the test's limit.
  const fs::path dir = fresh_dir("long_slice");
  std::ofstream(dir / "tree.yml") << R"(
kernel:
  nest_params: {resolution: 0.1}
simulation:
  params: {sessions: [long]}
session_models:
  long: {params: {simulation_time: 400.0}}
network:
  neuron_models:
    n: {params: {nest_model: ht_neuron}, nest_params: {tau_m: 0.001}}
  synapse_models:
    syn: {params: {nest_model: static_synapse, receptor_type: AMPA, target_neuron: ht_neuron}}
  layers:
    l:
      params: {populations: {n: 1}}
      nest_params: {rows: 40, columns: 40, extent: [40.0, 40.0], edge_wrap: true}
  projection_models:
    p: {nest_params: {connection_type: divergent, synapse_model: syn, mask: {circular: {radius: 1.0}}, delays: 200.0}}
  topology:
    params:
      projections:
      - {source_layers: [l], source_population: n, target_layers: [l], target_population: n, projection_model: p}
)";
  const fs::path out = dir / "out", log = dir / "stderr.txt";
  const Child c = start({"run", (dir / "tree.yml").string(), "-o", out.string()}, log);
  // The run has started once its staging directory exists.
  const fs::path staging = dir / ("out.nestling-partial-" + std::to_string(c.pid));
  for (int i = 0; i < 600 && !fs::exists(staging); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  REQUIRE(fs::exists(staging));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const auto signalled = std::chrono::steady_clock::now();
  ::kill(c.pid, SIGTERM);
  CHECK(wait_status(c) == 143);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - signalled).count();
  CHECK(seconds < 5.0);  // the slice alone takes far longer
  const std::string err = slurp(log);
  INFO(err);
  CHECK(err.find("interrupted before anything was simulated; the output directory is unchanged") != std::string::npos);
  CHECK_FALSE(fs::exists(out));
  CHECK_FALSE(fs::exists(staging));
}

TEST_CASE("SIGINT while a tree loads ends the process at once: exit 130, one line, nothing written",
          "[frontend][interrupt]") {
  const fs::path dir = fresh_dir("signal_loading");
  {
    std::ofstream f(dir / "tree.yml");
    f << "kernel:\n  params:\n    nest_seed: 1\n    padding: [";
    for (int i = 0; i < 3000000; ++i) f << "1, ";  // seconds of parsing
    f << "1]\n";
  }
  const fs::path log = dir / "stderr.txt";
  const Child c = start({"run", (dir / "tree.yml").string(), "-o", (dir / "out").string()}, log);
  REQUIRE(wait_for_handler(c, SIGINT));
  ::kill(c.pid, SIGINT);
  CHECK(wait_status(c) == 130);
  const std::string err = slurp(log);
  CHECK(err == "nestling: interrupted (SIGINT) while loading and building; nothing was written\n");
  CHECK_FALSE(fs::exists(dir / "out"));
}

TEST_CASE("SIGTERM while the network builds ends the process at once: exit 143, one line, nothing written",
          "[frontend][interrupt]") {
  // 20000 parrots with 500 incoming connections each: seconds of building.
  const fs::path dir = fresh_dir("signal_building");
  std::ofstream(dir / "tree.yml") << dense_parrots(500);
  const fs::path log = dir / "stderr.txt";
  const Child c = start({"validate", (dir / "tree.yml").string()}, log);
  REQUIRE(wait_for_handler(c, SIGTERM));
  ::kill(c.pid, SIGTERM);
  CHECK(wait_status(c) == 143);
  CHECK(slurp(log) == "nestling: stopped (SIGTERM) while loading and building; nothing was written\n");
}

TEST_CASE("a write that fails names the output file where it was going and why; nothing is left behind",
          "[frontend][output]") {
  // A file-size limit makes the multimeter's HDF5 file fail as a full disk would.
  const fs::path dir = fresh_dir("write_fails");
  std::ofstream(dir / "tree.yml") << R"(
simulation:
  params: {sessions: [s]}
session_models:
  s: {params: {simulation_time: 1000.0}}
network:
  neuron_models:
    n: {params: {nest_model: ht_neuron}}
  recorder_models:
    vm: {params: {nest_model: multimeter}, nest_params: {record_from: [V_m, theta], interval: 0.1, record_to: [hdf5]}}
  layers:
    l:
      params: {populations: {n: 1}}
      nest_params: {rows: 10, columns: 10}
  recorders:
    params:
      population_recorders:
      - {layers: [l], populations: null, model: vm}
)";
  const fs::path out = dir / "out";
  const Outcome o =
      nestling::testing::run_command("bash -c \"ulimit -f 64; trap '' XFSZ; exec " + std::string(NESTLING_BINARY) +
                                     " run -q " + (dir / "tree.yml").string() + " -o " + out.string() + "\"");
  INFO(o.output);
  CHECK(o.status == 2);
  CHECK(lines(o.output) == 1);
  CHECK(o.output.find("nestling: " + (fs::canonical(dir) / "out" / "data" / "vm_l_n.h5").string() + ": HDF5 error: ") !=
        std::string::npos);
  CHECK(o.output.find(": File too large\n") != std::string::npos);
  CHECK(o.output.find("nestling-partial") == std::string::npos);
  CHECK_FALSE(fs::exists(out));
  for (const auto& e : fs::directory_iterator(dir))
    CHECK(e.path().filename().string().find("nestling-partial") == std::string::npos);
}

TEST_CASE("an out-of-memory while building names the projection being built", "[frontend][memory]") {
#if defined(__SANITIZE_ADDRESS__)
  WARN("skipped: AddressSanitizer needs more address space than the limit this test sets");
  return;
#endif
  // 20000 parrots with 2000 incoming connections each: the estimate fits the machine, a 300 MB
  // address-space limit does not.
  const fs::path dir = fresh_dir("out_of_memory");
  std::ofstream(dir / "tree.yml") << dense_parrots(2000);
  const Outcome o = nestling::testing::run_command("bash -c \"ulimit -v 300000; exec " + std::string(NESTLING_BINARY) +
                                                   " validate " + (dir / "tree.yml").string() + "\"");
  INFO(o.output);
  CHECK(o.status == 2);
  CHECK(o.output == "nestling: " + (dir / "tree.yml").string() +
                        ": network/topology/params/projections/0: out of memory while building projection "
                        "p-l-parrot_neuron-l-parrot_neuron (the network's connections do not fit in this machine)\n");
}
