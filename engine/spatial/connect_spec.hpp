// The ConnectLayers dictionary (spec §6.5), parsed and checked.
#pragma once

#include <optional>
#include <string>

#include "engine/spatial/mask.hpp"
#include "engine/spatial/parameter.hpp"
#include "nestling/value.hpp"

namespace nestling::spatial {

// `sources` / `targets`: keep nodes of one model and/or one depth (lid, 1-based).
struct PopulationFilter {
  std::optional<std::string> model;
  long lid = 0;  // 0: any depth
};

struct ConnectSpec {
  bool convergent = true;  // connection_type
  std::optional<MaskSpec> mask;
  std::optional<SpatialParameter> kernel;
  std::optional<SpatialParameter> weights, delays;  // unset: the synapse model's defaults
  std::string synapse_model = "static_synapse";
  std::optional<long> number_of_connections;
  bool allow_autapses = true;
  bool allow_multapses = true;
  bool allow_oversized_mask = false;
  PopulationFilter sources, targets;
};

ConnectSpec parse_connect_spec(const Dict& d);

}  // namespace nestling::spatial
