#include <CLI/CLI.hpp>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <csignal>
#include <iomanip>
#include <iostream>
#include <sstream>

#include <sys/resource.h>

#include <chrono>

#include "engine/kernel.hpp"
#include "frontend/cli.hpp"
#include "io/yaml_writer.hpp"
#include "frontend/simulation.hpp"
#include "nestling/simulator.hpp"

namespace nestling::cli {

namespace {

std::atomic<frontend::Simulation*> g_running{nullptr};

// The first SIGINT/SIGTERM asks the run to stop at the next slice; a second one ends the process.
extern "C" void on_stop_signal(int signal) {
  if (frontend::Simulation* s = g_running.load()) s->request_stop();
  std::signal(signal, SIG_DFL);
}

std::string default_text(const Value& v) {
  if (v.is_real()) {
    std::ostringstream os;
    os << v.as_double();
    return os.str();
  }
  if (v.is_string()) return "'" + v.as_string() + "'";
  return v.repr();
}

void print_table(std::ostream& os, const std::vector<ParamSpec>& specs, const Dict& defaults) {
  os << std::left << std::setw(26) << "parameter" << std::setw(10) << "unit" << std::setw(16) << "default"
     << std::setw(10) << "check" << "meaning\n";
  for (const auto& s : specs) {
    if (s.write_only) continue;
    const Value* v = defaults.find(s.name);
    os << std::left << std::setw(26) << s.name << std::setw(10) << (s.unit.empty() ? "-" : s.unit) << std::setw(16)
       << (v ? default_text(*v) : std::string("-")) << std::setw(10) << check_text(s.check) << s.doc
       << (s.is_state ? " (state)" : "") << (s.read_only ? " (read-only)" : "") << "\n";
  }
}

int models_command(const std::string& name) {
  Simulator sim;
  Kernel& k = sim.kernel();
  if (name.empty()) {
    std::cout << "node models:\n";
    for (const auto& n : k.models().node_model_names())
      std::cout << "  " << std::left << std::setw(23) << n << ' '
                << k.models().node_model(n).documentation().substr(0, 90) << "\n";
    std::cout << "synapse models:\n";
    for (const auto& n : k.models().synapse_model_names())
      std::cout << "  " << std::left << std::setw(23) << n << ' '
                << k.models().synapse_model(n).documentation().substr(0, 90) << "\n";
    std::cout << "`nestling models NAME` shows a model's parameter table.\n";
    return 0;
  }
  if (k.models().has_synapse_model(name)) {
    const SynapseModel& m = k.models().synapse_model(name);
    std::cout << name << " (synapse model)\n" << m.documentation() << "\n\n";
    print_table(std::cout, m.parameters(), m.defaults());
    return 0;
  }
  const NodeModel& m = k.models().node_model(name);
  std::cout << name << " (node model)\n" << m.documentation() << "\n\n";
  print_table(std::cout, m.parameters(), m.defaults());
  if (auto r = m.recordables(); !r.empty()) {
    std::cout << "\nrecordables:";
    for (const auto& x : r) std::cout << " " << x;
    std::cout << "\n";
  }
  if (auto r = m.receptor_types(); !r.empty()) std::cout << "receptor_types: " << Value(r).repr() << "\n";
  return 0;
}

std::string megabytes(std::size_t bytes) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(1) << static_cast<double>(bytes) / (1024.0 * 1024.0) << " MiB";
  return os.str();
}

void print_summary(frontend::Simulation& s, std::ostream& os) {
  const auto& net = s.network();
  Kernel& k = s.simulator().kernel();
  k.finalize_connections();
  os << "network: " << k.max_gid() << " nodes, " << k.num_connections() << " connections\n\n";
  os << std::left << std::setw(20) << "layer" << std::setw(26) << "population" << std::setw(24) << "model" << "nodes\n";
  for (const auto& l : net.layers())
    for (const auto& [pop, n] : l.populations)
      os << std::setw(20) << l.name << std::setw(26) << pop << std::setw(24) << pop << l.ids(pop).size() << "\n";
  os << "\n" << std::setw(64) << "projection" << std::setw(30) << "synapse model" << "connections\n";
  for (const auto& p : net.projections())
    os << std::setw(64) << p.name() << std::setw(30) << p.synapse_model << p.connections << "\n";
  const std::size_t syn_bytes = k.connection_bytes();
  const std::size_t n_syn = k.num_connections();
  os << "\nmemory: connections " << megabytes(syn_bytes);
  if (n_syn) os << " (" << std::setprecision(3) << static_cast<double>(syn_bytes) / static_cast<double>(n_syn) << " bytes per synapse)";
  os << ", nodes " << megabytes(k.node_bytes()) << "\n";
  for (const auto& [model, bytes_per_node] : k.bytes_per_node_by_model())
    os << "  " << std::setw(24) << model << std::fixed << std::setprecision(0) << bytes_per_node
       << " bytes per node (state and input buffers)\n";
  os << "sessions:";
  for (const auto& session : s.sessions()) os << " " << session.name << " (" << session.simulation_time << " ms)";
  os << "\n";
}

void print_timings(frontend::Simulation& s, std::ostream& os) {
  const PhaseTimes& t = s.simulator().kernel().times();
  os << std::fixed << std::setprecision(3) << "timings (s): create " << t.create << ", connect " << t.connect
     << ", prepare " << t.prepare << ", simulate " << t.simulate - t.write << ", write " << t.write << ", total build "
     << s.build_seconds() << "\n";
}

frontend::ParamsTree load_tree(const std::string& path) { return frontend::ParamsTree::load(path); }

// Machine-readable figures of a run, for benchmarks/run.
void write_stats(const std::string& file, frontend::Simulation& s, double build_s, double run_s) {
  Kernel& k = s.simulator().kernel();
  const PhaseTimes& t = k.times();
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  io::YamlNode spikes = io::YamlNode::mapping();
  for (const auto& r : s.network().recorders())
    if (r.kind == RecordKind::spikes)
      spikes.set(r.population, io::YamlNode(static_cast<long long>(k.recorder(r.gid).n_events())));
  double biological_ms = 0;
  for (const auto& report : s.reports()) biological_ms += report.simulated_ms;
  io::YamlNode phases = io::YamlNode::mapping();
  phases.set("create", t.create).set("connect", t.connect).set("prepare", t.prepare);
  phases.set("simulate", t.simulate - t.write).set("write", t.write);
  io::YamlNode stats = io::YamlNode::mapping();
  stats.set("threads", k.threads())
      .set("nodes", static_cast<long long>(k.max_gid()))
      .set("connections", static_cast<long long>(k.num_connections()))
      .set("build_s", build_s)
      .set("simulate_s", run_s)
      .set("phases_s", phases)
      .set("biological_time_ms", biological_ms)
      .set("synaptic_events", static_cast<long long>(k.synaptic_events()))
      .set("bytes_per_synapse", k.num_connections() ? static_cast<double>(k.connection_bytes()) /
                                                          static_cast<double>(k.num_connections())
                                                    : 0.0)
      .set("peak_rss_mb", static_cast<double>(usage.ru_maxrss) / 1024.0)
      .set("spikes", spikes);
  io::write_yaml_file(file, stats);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"nestling: runs deNEST parameter trees on its own multithreaded spiking-network engine.\n"
               "Trees are deNEST's YAML parameter trees: a tree_paths.yml listing tree files, or one tree file."};
  app.set_version_flag("-v,--version", "nestling 0.1.0 (deNEST 1.0.1 trees, NEST 2.20 semantics)");
  app.require_subcommand(1);

  frontend::RunOptions opts;
  std::string tree_path, model_name, output, input, seed_text, stats_file;
  int threads = 0;
  bool timings = false, quiet = false;

  auto* run = app.add_subcommand("run", "Build the network of TREE and run its sessions into the output directory");
  run->add_option("TREE", tree_path, "tree_paths.yml or a single parameter tree file")->required();
  run->add_option("-o,--output", output, "output directory (overrides simulation/params/output_dir)");
  run->add_option("-i,--input", input, "input directory for from_array files (overrides simulation/params/input_dir)");
  run->add_option("--threads", threads, "number of threads (overrides kernel/nest_params/local_num_threads)")
      ->check(CLI::Range(1, 1024));
  run->add_option("--seed", seed_text, "random seed, 0 to 2^63-1 (overrides kernel/params/nest_seed)");
  run->add_flag("--force", opts.force, "replace the outputs of a previous run in the output directory");
  run->add_flag("--timings", timings, "print the time spent in each phase");
  run->add_option("--stats", stats_file, "write the run's figures (times, sizes, spikes, memory) as YAML to this file");
  run->add_flag("-q,--quiet", quiet, "print errors only");

  auto* validate = app.add_subcommand("validate", "Build the network of TREE and print a summary, without simulating");
  validate->add_option("TREE", tree_path, "tree_paths.yml or a single parameter tree file")->required();
  validate->add_option("-i,--input", input, "input directory for from_array files");
  validate->add_option("--threads", threads, "number of threads")->check(CLI::Range(1, 1024));

  auto* models = app.add_subcommand("models", "List the models, or show one model's parameters, units and defaults");
  models->add_option("NAME", model_name, "a model name");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::cerr << "nestling: " << e.what() << " (see nestling --help)\n";
    return 2;
  }
  try {
    if (threads > 0) opts.threads = threads;
    if (!seed_text.empty()) {
      long long seed = -1;
      const auto [end, ec] = std::from_chars(seed_text.data(), seed_text.data() + seed_text.size(), seed);
      if (ec != std::errc() || end != seed_text.data() + seed_text.size() || seed < 0)
        throw UserError("--seed", "must be a whole number from 0 to 2^63-1, got '" + seed_text + "'");
      opts.seed = seed;
    }
    if (run->count("--output") && output.empty()) throw UserError("--output", "must not be empty");
    if (!output.empty()) opts.output_dir = output;
    if (!input.empty()) opts.input_dir = input;
    opts.log = quiet ? nullptr : &std::cerr;
    opts.progress_bar = !quiet && ::isatty(STDERR_FILENO);

    if (*models) return models_command(model_name);
    const auto t0 = std::chrono::steady_clock::now();
    frontend::Simulation sim(load_tree(tree_path), opts);
    const auto t1 = std::chrono::steady_clock::now();
    if (*validate) {
      print_summary(sim, std::cout);
      return 0;
    }
    g_running.store(&sim);
    std::signal(SIGINT, on_stop_signal);
    std::signal(SIGTERM, on_stop_signal);
    const bool complete = sim.run();
    g_running.store(nullptr);
    const auto t2 = std::chrono::steady_clock::now();
    if (timings) print_timings(sim, std::cerr);
    if (!quiet) std::cerr << (complete ? "outputs in " : "outputs of what ran in ") << sim.output_dir() << "\n";
    if (!stats_file.empty())
      write_stats(stats_file, sim, std::chrono::duration<double>(t1 - t0).count(),
                  std::chrono::duration<double>(t2 - t1).count());
    return complete ? 0 : 130;
  } catch (const UserError& e) {
    g_running.store(nullptr);
    std::cerr << "nestling: " << e.what() << "\n";
    return 2;
  } catch (const std::bad_alloc&) {
    g_running.store(nullptr);
    std::cerr << "nestling: out of memory (the network or its recordings do not fit in this machine)\n";
    return 2;
  } catch (const std::exception& e) {
    g_running.store(nullptr);
    std::cerr << "nestling: internal error (please report it): " << e.what() << "\n";
    return 1;
  }
}

}  // namespace nestling::cli
