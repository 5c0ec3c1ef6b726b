// Basic types shared by the public API and the engine.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nestling/value.hpp"

namespace nestling {

// Node ids follow NEST 2.20's numbering: 1, 2, ... in creation order (0 is the root).
using NodeId = std::uint64_t;

// One connection as reported by Simulator::get_connections().
struct ConnectionInfo {
  NodeId source = 0;
  NodeId target = 0;
  std::string synapse_model;
  double weight = 0.0;
  double delay_ms = 0.0;
  long receptor = 0;
  Dict state;  // model-specific per-connection state (e.g. P of ht_synapse)
};

// Connections as columns (one entry per connection), sorted by (source, target, synapse model,
// order of creation) like Simulator::get_connections.
struct ConnectionArrays {
  std::vector<NodeId> sources, targets;
  std::vector<double> weights, delays;  // delays in ms
  std::vector<long> receptors;
  std::vector<std::string> synapse_models;  // the models that occur, indexed by synapse_model_index
  std::vector<std::uint32_t> synapse_model_index;
};

struct ConnectionFilter {
  std::vector<NodeId> sources, targets;  // empty: any
  std::string synapse_model;             // "": any
};

}  // namespace nestling
