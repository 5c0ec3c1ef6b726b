// Sessions: the run schedule of a deNEST tree (spec denest.md §3.9, §4.3, §4.4).
//
// Unlike deNEST, every session's unit and synapse changes are validated (including .npy shapes)
// before the first session runs, so a mistake never surfaces after hours of simulation.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "frontend/network.hpp"
#include "frontend/params_tree.hpp"

namespace nestling::frontend {

enum class ChangeType { constant, multiplicative, additive };

struct UnitChange {
  const ParamsTree* node = nullptr;  // the session model, for errors
  std::string where;                 // "unit_changes/<i>"
  std::optional<std::vector<std::string>> layers;  // nullopt = every layer
  std::optional<std::string> population;           // nullopt = every population
  ChangeType type = ChangeType::constant;
  bool from_array = false;
  double proportion = 1.0;  // older vocabulary: the fraction of the selected units that change
  // deNEST's MC_sleep branch: only units at row <= first and column <= second change.
  std::optional<std::pair<long, long>> subnet_max;
  Dict values;              // parameter → value (or .npy file name with from_array)
  // from_array: per parameter, the values in (row, col, unit) order, and the files read
  std::vector<std::pair<std::string, std::vector<double>>> arrays;
  std::vector<std::string> files;
};

struct SynapseChange {
  std::string synapse_model;
  Dict params;
};

struct Session {
  std::string name;   // "00_warmup"
  std::string model;  // session model leaf
  const ParamsTree* node = nullptr;
  double simulation_time = 0;  // whole ms, as deNEST truncates
  bool reset_network = false;
  bool record = true;
  bool shift_origin = false;
  std::vector<UnitChange> unit_changes;
  std::vector<SynapseChange> synapse_changes;
  double start = 0, end = 0;  // ms
};

// The session_models leaf of every name in `order` (simulation/params/sessions), checked: known,
// defined once, no nest_params. Errors name `simulation` and the list index.
std::vector<const ParamsTree*> find_session_models(const ParamsTree& session_models,
                                                   const std::vector<std::string>& order, const ParamsTree& simulation);

// Builds the sessions `order` names from their session model leaves (find_session_models).
// `network` must be created (model parameters are checked against the engine's models).
std::vector<Session> build_sessions(const std::vector<const ParamsTree*>& models, const std::vector<std::string>& order,
                                    const Network& network, Simulator& sim, const std::string& input_dir,
                                    double start_time);

// Runs one session: reset, record switch, origin shift, changes, simulate.
void run_session(const Session& s, const Network& network, Simulator& sim);

}  // namespace nestling::frontend
