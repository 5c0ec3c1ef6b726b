#include <CLI/CLI.hpp>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <csignal>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

#include "frontend/cli.hpp"
#include "frontend/cli_reports.hpp"
#include "frontend/cli_text.hpp"
#include "frontend/run_tree.hpp"
#include "frontend/simulation.hpp"
#include "models/ht_neuron_lanes.hpp"
#include "nestling/simulator.hpp"

namespace nestling::cli {

namespace {

// Signals. While the tree loads and the network builds nothing has been written, so SIGINT or
// SIGTERM end the process at once with one line. While sessions run, the first asks the run to
// stop (outputs of what ran are kept) and a second ends the process at once. Once the run is
// over, they change nothing.
enum Phase : int { building, running, finished };
std::atomic<int> g_phase{building};
std::atomic<frontend::Simulation*> g_running{nullptr};
std::atomic<int> g_signal{0};

void say(const char* text, std::size_t length) {
  if (::write(STDERR_FILENO, text, length) < 0) return;  // nothing better to do in a signal handler
}

extern "C" void on_stop_signal(int signal) {
  g_signal.store(signal);
  const int phase = g_phase.load();
  if (phase == running) {
    if (frontend::Simulation* s = g_running.load()) s->request_stop();
    std::signal(signal, SIG_DFL);
    return;
  }
  if (phase == finished) return;
  static const char sigint[] = "nestling: interrupted (SIGINT) while loading and building; nothing was written\n";
  static const char sigterm[] = "nestling: stopped (SIGTERM) while loading and building; nothing was written\n";
  if (signal == SIGINT)
    say(sigint, sizeof sigint - 1);
  else
    say(sigterm, sizeof sigterm - 1);
  ::_exit(128 + signal);
}

// The status of a run a signal stopped: 128 + the signal number, as a shell reports it.
int stopped_status() {
  const int s = g_signal.load();
  return 128 + (s ? s : SIGINT);
}

void report(std::ostream& os, const std::string& line) {
  os << one_line(line) << "\n" << std::flush;
}

long long parse_seed(const std::string& text) {
  long long seed = -1;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seed);
  if (ec != std::errc() || end != text.data() + text.size() || seed < 0)
    throw UserError("--seed", "must be a whole number from 0 to 2^63-1, got '" + text + "'");
  return seed;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  CLI::App app{
      "nestling: runs deNEST parameter trees on its own multithreaded spiking-network engine.\n"
      "Trees are deNEST's YAML parameter trees: tree_paths.yml lists of tree files, or tree files.\n"
      "Exit status: 0 done, 2 bad input, 3 a node's dynamics diverged, 130 SIGINT, 143 SIGTERM."};
  app.set_version_flag("-v,--version", "nestling 0.1.0 (deNEST 1.0.1 trees, NEST 2.20 semantics)");
  app.require_subcommand(1);

  frontend::RunOptions opts;
  std::vector<std::string> trees, settings;
  std::string model_name, output, input, seed_text, stats_file;
  int threads = 0;
  bool timings = false, quiet = false;

  auto add_tree_options = [&](CLI::App* command) {
    command
        ->add_option("TREE", trees,
                     "tree_paths.yml or a parameter tree file; several are merged in order, a later one "
                     "overriding an earlier one")
        ->required();
    command->add_option("--set", settings,
                        "TREE/PATH=VALUE: set one parameter, e.g. network/layers/l1/nest_params/rows=10 "
                        "(repeatable; wins over the trees)");
    command->add_option("-i,--input", input,
                        "input directory for from_array files (overrides simulation/params/input_dir)");
    command->add_option("--threads", threads, "number of threads (overrides kernel/nest_params/local_num_threads)")
        ->check(CLI::Range(1, 1024));
  };
  auto* run = app.add_subcommand("run", "Build the network of TREE and run its sessions into the output directory");
  add_tree_options(run);
  run->add_option("-o,--output", output, "output directory (overrides simulation/params/output_dir)");
  run->add_option("--seed", seed_text, "random seed, 0 to 2^63-1 (overrides kernel/params/nest_seed)");
  run->add_flag("--force", opts.force, "replace the outputs of a previous run in the output directory");
  run->add_flag("--timings", timings, "print the time spent in each phase");
  run->add_option("--stats", stats_file,
                  "write the run's figures (times, sizes, spikes per population and session, memory) as YAML");
  run->add_flag("-q,--quiet", quiet, "print errors only");

  auto* validate = app.add_subcommand("validate", "Build the network of TREE and print a summary, without simulating");
  add_tree_options(validate);
  std::string connections_file;
  validate->add_option("--connections", connections_file,
                       "also write every connection to this CSV file (source, target, synapse_model, weight, delay, "
                       "receptor)");

  auto* models = app.add_subcommand("models", "List the models, or show one model's parameters, units and defaults");
  models->add_option("NAME", model_name, "a model name");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::cerr << "nestling: " << one_line(e.what()) << " (see nestling --help)\n";
    return 2;
  }
  // Under an MPI launcher every process runs the same command; process 0 speaks for the run.
  // A build error is the same on every process (the same tree), so only process 0 reports it;
  // an error while running belongs to the process that met it.
  struct MpiSession {
    bool started = false;
    ~MpiSession() {
      if (started) finish_mpi();
    }
  } mpi;
  Communicator comm;
  try {
    mpi.started = start_mpi_if_launched(argc, argv);
    comm = Communicator::world();
  } catch (const UserError& e) {
    report(std::cerr, std::string("nestling: ") + e.what());
    return 2;
  }
  const bool speaks = comm.rank() == 0;
  const auto speaks_for = [&] { return speaks || g_phase.load() == running; };
  // An error met by this process alone while running (the others wait for it at the next
  // exchange) ends the whole job: MPI_Abort rather than a hang. Errors while building are the
  // same on every process, which then all end normally.
  const auto end_alone = [&](int status) {
    const bool alone = comm.distributed() && g_phase.load() != building;
    g_phase.store(finished);
    if (alone) comm.abort(status);
    // A build error may be this process's alone too: leave without MPI_Finalize (which would wait
    // for the others), so that mpirun ends the job.
    if (comm.distributed()) mpi.started = false;
    return status;
  };
  std::unique_ptr<frontend::Simulation> sim;
  try {
    if (*models) {
      Simulator simulator;
      if (model_name.empty())
        print_model_list(std::cout, simulator, terminal_width());
      else
        print_model(std::cout, simulator, model_name, terminal_width());
      return 0;
    }
    ht::lane_path();  // a bad NESTLING_SIMD is reported before any work
    if (threads > 0) opts.threads = threads;
    if (!seed_text.empty()) opts.seed = parse_seed(seed_text);
    if (run->count("--output") && output.empty()) throw UserError("--output", "must not be empty");
    if (!output.empty()) opts.output_dir = output;
    if (!input.empty()) opts.input_dir = input;
    if (!speaks) quiet = true;
    opts.log = quiet ? nullptr : &std::cerr;
    opts.progress_bar = !quiet && ::isatty(STDERR_FILENO);
    opts.communicator = comm;
    opts.memory_recordings_lost = true;  // nothing reads the recorders' memory after the process
    opts.validate_only = validate->parsed();

    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::string> notes;
    frontend::ParamsTree tree = frontend::load_run_tree(trees, settings, &notes);
    if (!quiet)
      for (const auto& n : notes) report(std::cerr, n);
    sim = std::make_unique<frontend::Simulation>(std::move(tree), opts);
    const auto t1 = std::chrono::steady_clock::now();
    if (*validate) {
      std::ostream silent(nullptr);  // the other processes take part in the summary's collectives
      print_summary(speaks ? std::cout : silent, *sim);
      if (!connections_file.empty()) write_connections_csv(connections_file, *sim, speaks);
      return 0;
    }
    g_running.store(sim.get());
    g_phase.store(running);
    const bool complete = sim->run();
    g_phase.store(finished);
    const auto t2 = std::chrono::steady_clock::now();
    if (!quiet) print_activity(std::cerr, *sim);
    if (timings && speaks) print_timings(std::cerr, *sim);  // process 0's figures
    if (!quiet) std::cerr << (complete ? "outputs in " : "outputs of what ran in ") << sim->output_dir() << "\n";
    if (!stats_file.empty())
      write_stats(stats_file, *sim, std::chrono::duration<double>(t1 - t0).count(),
                  std::chrono::duration<double>(t2 - t1).count(), speaks);
    return complete ? 0 : stopped_status();
  } catch (const IntegrationError& e) {
    g_phase.store(finished);
    std::ostringstream where;
    if (sim && !sim->sessions().empty() && sim->simulator().time() > sim->sessions().front().start)
      where << "; the outputs up to " << std::fixed << std::setprecision(1) << sim->simulator().time() << " ms are in "
            << sim->output_dir();
    else if (sim)
      where << "; nothing was written";
    report(std::cerr, std::string("nestling: ") + e.what() + where.str());
    return 3;
  } catch (const PeerFailure&) {
    g_phase.store(finished);
    return 3;  // the failing process said why
  } catch (const UserError& e) {
    if (speaks_for()) report(std::cerr, std::string("nestling: ") + e.what());
    return end_alone(2);
  } catch (const std::bad_alloc&) {
    report(std::cerr, "nestling: out of memory (the network or its recordings do not fit in this machine)");
    return end_alone(2);
  } catch (const std::exception& e) {
    report(std::cerr, std::string("nestling: internal error (please report it): ") + e.what());
    return end_alone(1);
  }
}

}  // namespace nestling::cli
