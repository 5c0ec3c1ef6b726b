// Tree-driven simulation: deNEST's workflow (load trees, build, inspect, run session by session,
// read and change node status) from C++, without the command line.
//
//   auto sim = nestling::TreeSimulation::load({"params/tree_paths.yml"},
//                                             {nestling::Dict{{"kernel", ...overrides...}}},
//                                             {.output_dir = "output"});
//   for (const auto& layer : sim.layers()) ...;
//   auto exc = sim.gids("l1", "l1_exc");            // ids of a population, in id order
//   auto conns = sim.connections({.synapse_model = "AMPA_syn"});
//   sim.run();                                       // every session; outputs as `nestling run`
//
// Outputs are written as by `nestling run` (deNEST's layout) and move into the output directory
// when the last session has run, or when the simulation ends early (finish(), the destructor,
// an interruption): a run never leaves a half-written directory. Errors in a tree are
// UserErrors whose message names the file and the tree path.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#if defined(NESTLING_HAVE_MPI)
#include <mpi.h>
#endif

#include "nestling/errors.hpp"
#include "nestling/types.hpp"
#include "nestling/value.hpp"

namespace nestling {

class Simulator;
namespace frontend {
class Simulation;
}

struct TreeOptions {
  std::optional<std::string> output_dir;  // overrides simulation/params/output_dir (written back)
  std::optional<std::string> input_dir;   // overrides simulation/params/input_dir
  std::optional<int> threads;             // overrides kernel/nest_params/local_num_threads
  std::optional<long long> seed;          // overrides kernel/params/nest_seed
  bool force = false;                     // replace a previous run's outputs in output_dir
  std::ostream* log = nullptr;            // warnings and per-session lines (nullptr: quiet)
  bool validate_only = false;             // build and check only: run() is refused
#if defined(NESTLING_HAVE_MPI)
  // Run on these MPI processes (every process makes the same calls); process 0 logs and writes
  // the metadata, every process its own recorder files.
  std::optional<MPI_Comm> communicator;
#endif
};

struct PopulationInfo {
  std::string name;  // deNEST's population name: the node model
  std::size_t units_per_position = 0;
  std::size_t size = 0;  // rows · columns · units_per_position
  NodeId first_id = 0;   // ids are first_id + k·rows·columns + column·rows + row
};

struct LayerInfo {
  std::string name;
  NodeId id = 0;  // the layer's own id (NEST's layer subnet); its nodes follow
  bool input_layer = false;
  std::size_t rows = 0, columns = 0;
  std::array<double, 2> extent{}, center{};
  bool edge_wrap = false;
  std::vector<PopulationInfo> populations;  // in depth order
};

struct ProjectionInfo {
  std::string name;  // <model>-<source layer>-<source pop|None>-<target layer>-<target pop|None>
  std::string model, source_layer, source_population, target_layer, target_population;  // "" = all
  std::string synapse_model;
  std::size_t connections = 0;
  bool multisynapse = false;
};

struct SessionInfo {
  std::string name;   // "00_warmup"
  std::string model;  // its session model
  double start_ms = 0, end_ms = 0;
  bool record = true;
};

class TreeSimulation {
 public:
  // `paths`: tree_paths lists or tree files, merged as by `nestling run` (a later one overriding
  // an earlier one key by key); `overrides`: nested dicts that win over all files, the first one
  // winning over later ones (deNEST's load_trees(path, *overrides)).
  static TreeSimulation load(const std::vector<std::string>& paths, const std::vector<Dict>& overrides = {},
                             const TreeOptions& options = {});
  // A merged tree given as a nested dict ({network: {...}, simulation: {...}, ...}). `origins`
  // maps tree paths ("network/layers/l1") to the file a node came from, for error messages.
  static TreeSimulation from_dict(const Dict& tree, const std::vector<std::pair<std::string, std::string>>& origins = {},
                                  const TreeOptions& options = {});

  TreeSimulation(TreeSimulation&&) noexcept;
  TreeSimulation& operator=(TreeSimulation&&) noexcept;
  // Outputs of sessions that ran are moved into place (see finish()).
  ~TreeSimulation();

  // --- the network ---
  std::vector<LayerInfo> layers() const;
  std::vector<ProjectionInfo> projections() const;
  // Ids of a layer's nodes in id order, optionally of one population only and/or at one grid
  // location (row, column) and/or with a given unit index within the population at that location.
  std::vector<NodeId> gids(const std::string& layer, const std::optional<std::string>& population = std::nullopt,
                           const std::optional<std::array<long, 2>>& location = std::nullopt,
                           const std::optional<long>& unit = std::nullopt) const;
  // (row, column, unit index within its population) of a layer's node.
  std::array<long, 3> location(NodeId node) const;
  std::array<double, 2> position(NodeId node) const;
  ConnectionArrays connections(const ConnectionFilter& filter = {}) const;
  // Node status (parameters, state, model-specific keys) and a single key for many nodes.
  Dict get_status(NodeId node) const;
  std::vector<Value> get_status(const std::vector<NodeId>& nodes, const std::string& key) const;
  void set_status(const std::vector<NodeId>& nodes, const Dict& values);

  // --- sessions ---
  std::vector<SessionInfo> sessions() const;
  std::size_t sessions_run() const;
  // Runs every session not run yet and moves the outputs into place. False if interrupted
  // (request_stop or a signal): the outputs of what ran are complete and in place.
  bool run();
  // Runs the next session only; false if interrupted or none is left. After the last session the
  // outputs move into place.
  bool run_next_session();
  // Ends the run early: the outputs of the sessions that ran move into place (session_times.yml
  // lists only those). Nothing happens if no session ran or the outputs are in place already.
  void finish();
  // Asks a running session to stop at the next slice boundary (async-signal-safe).
  void request_stop();
  // Called about every 0.1 s of wall time while a session runs, with the session's index and the
  // biological time reached (ms). Runs on the simulating thread.
  void set_progress(std::function<void(std::size_t session, double time_ms)> progress);

  std::string output_dir() const;
  double time_ms() const;
  // The merged tree as it will be (or was) written to parameter_tree.yml.
  std::string tree_yaml() const;
  Simulator& simulator();

 private:
  explicit TreeSimulation(std::unique_ptr<frontend::Simulation> impl);
  std::unique_ptr<frontend::Simulation> impl_;
};

}  // namespace nestling
