// Estimates made before anything exists: suggestions for mistyped names, and how many
// connections a ConnectLayers call will make (for the memory pre-flight).
#include <catch2/catch.hpp>
#include <cmath>

#include "engine/spatial/connect_spec.hpp"
#include "engine/suggest.hpp"

using namespace nestling;
using spatial::expected_connections;
using spatial::LayerShape;

TEST_CASE("suggestions: the closest name within a few edits, swaps and case included", "[suggest]") {
  const std::vector<std::string> names = {"g_KL", "g_NaL", "tau_m", "theta_eq", "ht_neuron", "l1", "l1_exc"};
  CHECK(closest_name("g_KLL", names) == "g_KL");
  CHECK(closest_name("ht_nueron", names) == "ht_neuron");  // a swap is one edit
  CHECK(closest_name("TAU_M", names) == "tau_m");
  CHECK(closest_name("l11", names) == "l1");
  CHECK(closest_name("theta", names).empty());  // 3 edits from theta_eq: too far for 5 characters
  CHECK(closest_name("resolution", names).empty());
  CHECK(did_you_mean("g_NAL", names) == " (did you mean 'g_NaL'?)");
  CHECK(did_you_mean("xyz", names).empty());
}

TEST_CASE("expected connections: fixed numbers, mask areas and the kernel's mean", "[estimate]") {
  const LayerShape layer{10, 10, {10.0, 10.0}};  // one position per unit area
  spatial::ConnectSpec fixed = spatial::parse_connect_spec(
      {{"connection_type", "convergent"}, {"number_of_connections", 7}, {"synapse_model", "static_synapse"}});
  CHECK(expected_connections(fixed, layer, 2.0, layer, 3.0) == 100 * 3 * 7);  // per target

  spatial::ConnectSpec all = spatial::parse_connect_spec({{"connection_type", "divergent"}});
  CHECK(expected_connections(all, layer, 1.0, layer, 1.0) == 100.0 * 100.0);

  spatial::ConnectSpec disc = spatial::parse_connect_spec(
      {{"connection_type", "divergent"}, {"mask", Dict{{"circular", Dict{{"radius", 2.0}}}}}, {"kernel", 0.5}});
  CHECK(expected_connections(disc, layer, 1.0, layer, 1.0) == Approx(100.0 * 100.0 * (M_PI * 4.0 / 100.0) * 0.5));

  // A gaussian kernel's mean over a disc of radius R: 2σ²(1 − e^(−R²/2σ²)) / R².
  spatial::ConnectSpec gauss =
      spatial::parse_connect_spec({{"connection_type", "convergent"},
                                   {"mask", Dict{{"circular", Dict{{"radius", 3.0}}}}},
                                   {"kernel", Dict{{"gaussian", Dict{{"p_center", 1.0}, {"sigma", 1.0}}}}}});
  const double mean = 2.0 * (1.0 - std::exp(-4.5)) / 9.0;
  CHECK(expected_connections(gauss, layer, 1.0, layer, 1.0) ==
        Approx(100.0 * 100.0 * (M_PI * 9.0 / 100.0) * mean).epsilon(0.02));
}
