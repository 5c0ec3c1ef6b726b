// A deNEST simulation: a parameter tree, its kernel settings, network and sessions, run into an
// output directory with deNEST's layout (spec denest.md §4, §5).
#pragma once

#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/communicator.hpp"
#include "frontend/network.hpp"
#include "frontend/outputs.hpp"
#include "frontend/params_tree.hpp"
#include "frontend/session.hpp"
#include "io/output_dir.hpp"
#include "nestling/simulator.hpp"

namespace nestling::frontend {

struct RunOptions {
  std::optional<std::string> output_dir;  // -o: written into the tree like deNEST's override
  std::optional<std::string> input_dir;   // -i
  std::optional<int> threads;             // --threads
  std::optional<long long> seed;          // --seed
  bool force = false;                     // --force: replace a previous run's outputs
  std::ostream* log = nullptr;            // progress and warnings (nullptr: quiet)
  bool progress_bar = false;              // redraw one progress line per session (a terminal)
  bool memory_recordings_lost = false;    // nobody reads recorders' memory (the CLI): warn about them
  bool validate_only = false;             // build and check, never run: the output directory is not checked
  // The processes of the run (MPI): each builds its share of the network and writes its own
  // recorder files; process 0 writes everything else and moves the outputs into place.
  Communicator communicator;
};

// Spikes a population of a layer emitted in one session.
struct PopulationActivity {
  std::string layer, population;
  std::size_t nodes = 0;
  std::uint64_t spikes = 0;
  double rate_hz(double ms) const {
    return nodes && ms > 0 ? static_cast<double>(spikes) / static_cast<double>(nodes) / (ms / 1000.0) : 0.0;
  }
};

struct SessionReport {
  std::string name;
  double simulated_ms = 0;
  double wall_s = 0;
  std::vector<PopulationActivity> activity;  // every population of neurons (parrots included)
};

class Simulation {
 public:
  // Loads nothing itself: `tree` is the merged tree (overrides applied). Validates everything,
  // builds the network in a fresh simulator and checks every session. Nothing is written yet.
  Simulation(ParamsTree tree, const RunOptions& options);
  ~Simulation();

  // Runs all sessions not run yet into the output directory. Returns false if interrupted (the
  // outputs of what ran are complete and in place). Throws IntegrationError, naming the node's
  // layer and population, when a node diverged (the outputs up to the failing slice are in place).
  bool run();
  // The same, one session at a time: false if interrupted or none is left. The outputs move into
  // place after the last session, on an interruption, or at finish_run().
  bool run_next_session();
  // Moves the outputs of the sessions that ran into place (session_times.yml lists only those).
  // Does nothing before the first session or once the outputs are in place. The destructor calls it.
  void finish_run();
  std::size_t sessions_run() const { return completed_; }
  // Called about every 0.1 s while a session runs, with the session's index and the time reached.
  void set_progress(std::function<void(std::size_t, double)> progress) { progress_ = std::move(progress); }
  // Asks a running simulation to stop at the next slice boundary (async-signal-safe).
  void request_stop();

  const Network& network() const { return *network_; }
  const std::vector<Session>& sessions() const { return sessions_; }
  const ParamsTree& tree() const { return tree_; }
  Simulator& simulator() { return *sim_; }
  const std::vector<SessionReport>& reports() const { return reports_; }
  const std::string& output_dir() const { return output_dir_; }
  double build_seconds() const { return build_s_; }

 private:
  void init_kernel();
  // Opens the output directory and writes what is known before the first session; false if
  // interrupted meanwhile (nothing is kept).
  bool begin_run();
  // After an interrupted or diverged session: keeps what ran (or nothing, if nothing ran).
  void end_interrupted(std::optional<IntegrationError> diverged);
  void abandon_run();
  // Writes what the sessions run so far leave (the last one cut at `last_end` if given), closes
  // the recorders and moves the outputs into place.
  void commit_run(std::optional<double> last_end);
  // Runs one session with its progress report; returns the divergence that stopped it, if any.
  std::optional<IntegrationError> run_session_reported(const Session& s);
  std::function<void(step_t)> progress_bar(const Session& s) const;
  // What the run writes into data/ and the files it reads, for the output directory's checks.
  io::OutputPlan output_plan() const;
  bool replace_outputs() const { return overwrite_files_ || options_.force; }
  void write_metadata(const std::string& dir, const std::vector<Session>& sessions) const;
  void log(const std::string& line) const;
  std::vector<PopulationActivity> activity_so_far() const;
  // Warnings for a run that will produce nothing useful: no layers, no sessions, recorders
  // whose records are lost.
  void warn_about_empty_run(const ParamsTree& simulation) const;

  ParamsTree tree_;
  RunOptions options_;
  std::unique_ptr<Simulator> sim_;
  std::unique_ptr<Network> network_;
  std::vector<Session> sessions_;
  std::vector<SessionReport> reports_;
  bool root() const { return options_.communicator.rank() == 0; }
  std::unique_ptr<io::OutputDirectory> out_;  // open from the first session until the outputs are in place
                                              // (process 0; the others write into its staging directory)
  bool joined_ = false;                       // a process other than 0 writes into process 0's staging
  std::unique_ptr<RunOutputs> outputs_;
  std::size_t completed_ = 0;
  bool finished_ = false;
  std::function<void(std::size_t, double)> progress_;
  std::string output_dir_, input_dir_;
  bool overwrite_files_ = false;
  double build_s_ = 0;
};

}  // namespace nestling::frontend
