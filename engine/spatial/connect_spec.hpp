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

// A layer's shape, as far as an estimate needs it.
struct LayerShape {
  std::size_t rows = 1, columns = 1;
  Vec2 extent{1.0, 1.0};
};

// How many connections one ConnectLayers call makes, estimated from the layers' shapes alone
// (nothing has to exist yet) for the memory pre-flight: `pre_units` and `post_units` are the
// selected nodes per grid position. Errs on the high side (edges are not cut off the mask).
double expected_connections(const ConnectSpec& spec, const LayerShape& pre, double pre_units, const LayerShape& post,
                            double post_units);
// The longest delay of the call, in ms, estimated the same way (`fallback`: the synapse's).
double longest_delay(const ConnectSpec& spec, const LayerShape& post, double fallback);

}  // namespace nestling::spatial
