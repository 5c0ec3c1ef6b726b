// A deNEST simulation: a parameter tree, its kernel settings, network and sessions, run into an
// output directory with deNEST's layout (spec denest.md §4, §5).
#pragma once

#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "frontend/network.hpp"
#include "frontend/params_tree.hpp"
#include "frontend/session.hpp"
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
};

struct SessionReport {
  std::string name;
  double simulated_ms = 0;
  double wall_s = 0;
};

class Simulation {
 public:
  // Loads nothing itself: `tree` is the merged tree (overrides applied). Validates everything,
  // builds the network in a fresh simulator and checks every session. Nothing is written yet.
  Simulation(ParamsTree tree, const RunOptions& options);
  ~Simulation();

  // Runs all sessions into the output directory. Returns false if interrupted (the outputs of
  // what ran are complete and in place).
  bool run();
  // Asks a running simulation to stop at the next slice boundary (async-signal-safe).
  void request_stop();

  const Network& network() const { return *network_; }
  const std::vector<Session>& sessions() const { return sessions_; }
  Simulator& simulator() { return *sim_; }
  const std::vector<SessionReport>& reports() const { return reports_; }
  const std::string& output_dir() const { return output_dir_; }
  double build_seconds() const { return build_s_; }

 private:
  void init_kernel();
  void write_metadata(const std::string& dir, const std::vector<Session>& sessions) const;
  void log(const std::string& line) const;

  ParamsTree tree_;
  RunOptions options_;
  std::unique_ptr<Simulator> sim_;
  std::unique_ptr<Network> network_;
  std::vector<Session> sessions_;
  std::vector<SessionReport> reports_;
  std::string output_dir_, input_dir_;
  bool overwrite_files_ = false;
  double build_s_ = 0;
};

}  // namespace nestling::frontend
