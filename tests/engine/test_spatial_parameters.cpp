// Spatial parameters: formulas, cutoff and anchor, random types, dictionary errors (spec §6.4),
// and distance-dependent weights and delays on connections (NEST's test_weight_delay).
#include <catch2/catch.hpp>
#include <cmath>

#include "engine/spatial/parameter.hpp"
#include "tests/engine/test_spatial_support.hpp"

using namespace nestling;
using namespace nestling::spatial;
using namespace nestling::spatial_test;
using Catch::Matchers::Contains;

namespace {

SpatialParameter param(const char* type, Dict body) {
  return parse_parameter(Dict{{type, std::move(body)}}, "p");
}

double at(const SpatialParameter& p, double x, double y) {
  Rng rng(1);
  return p({x, y}, rng);
}

void expect_error(const Value& v, const std::string& path, const std::string& text) {
  try {
    parse_parameter(v, "weights");
    FAIL("no error for " << v.repr());
  } catch (const UserError& e) {
    CHECK(e.path() == path);
    CHECK_THAT(e.message(), Contains(text));
  }
}

}  // namespace

TEST_CASE("deterministic parameter formulas and defaults", "[spatial][parameter]") {
  const double d = 5.0;  // displacement (3, 4)
  CHECK(at(parse_parameter(Value(2.5), "p"), 3, 4) == 2.5);
  CHECK(at(parse_parameter(Value(2), "p"), 3, 4) == 2.0);  // integers are accepted (NEST rejects them)
  CHECK(at(param("constant", {{"value", -1.5}}), 3, 4) == -1.5);
  CHECK(at(param("linear", {}), 3, 4) == d);
  CHECK(at(param("linear", {{"a", -0.5}, {"c", 2.0}}), 3, 4) == 2.0 - 0.5 * d);
  CHECK(at(param("exponential", {}), 3, 4) == Approx(std::exp(-d)));
  CHECK(at(param("exponential", {{"a", 2.0}, {"c", 0.5}, {"tau", 2.5}}), 3, 4) == Approx(0.5 + 2.0 * std::exp(-2.0)));
  CHECK(at(param("gaussian", {}), 3, 4) == Approx(std::exp(-12.5)));
  CHECK(at(param("gaussian", {{"c", 0.1}, {"p_center", 0.8}, {"mean", 4.0}, {"sigma", 2.0}}), 3, 4) ==
        Approx(0.1 + 0.8 * std::exp(-1.0 / 8.0)));
  // gaussian2D with NEST's sign of the correlation term: −2ρ(x−mx)(y−my)/(σxσy).
  const double x = 3 - 1.0, y = 4 - 2.0, sx = 2.0, sy = 4.0, rho = 0.5;
  const double g2 = 0.2 + 0.7 * std::exp(-(x * x / (sx * sx) + y * y / (sy * sy) - 2 * rho * x * y / (sx * sy)) /
                                         (2 * (1 - rho * rho)));
  CHECK(at(param("gaussian2D", {{"c", 0.2},
                                {"p_center", 0.7},
                                {"mean_x", 1.0},
                                {"mean_y", 2.0},
                                {"sigma_x", sx},
                                {"sigma_y", sy},
                                {"rho", rho}}),
           3, 4) == Approx(g2));
  CHECK(at(param("gaussian2D", {}), 3, 4) == Approx(std::exp(-12.5)));
  // gamma: d^(κ−1) e^(−d/θ) / (θ^κ Γ(κ)).
  CHECK(at(param("gamma", {{"kappa", 2.5}, {"theta", 1.5}}), 3, 4) ==
        Approx(std::pow(d, 1.5) * std::exp(-d / 1.5) / (std::pow(1.5, 2.5) * std::tgamma(2.5))));
  CHECK(at(param("gamma", {}), 3, 4) == Approx(std::exp(-d)));
}

TEST_CASE("cutoff zeroes values below it; anchor shifts the displacement", "[spatial][parameter]") {
  const SpatialParameter lin = param("linear", {{"a", -1.0}, {"c", 1.0}, {"cutoff", 0.5}});
  CHECK(at(lin, 0.25, 0) == 0.75);
  CHECK(at(lin, 0.5, 0) == 0.5);  // not below the cutoff
  CHECK(at(lin, 0.75, 0) == 0.0);
  const SpatialParameter shifted = param("linear", {{"anchor", std::vector<double>{3.0, 0.0}}});
  CHECK(at(shifted, 3, 4) == 4.0);
  const SpatialParameter g = param("gaussian", {{"anchor", std::vector<double>{1.0, 1.0}}, {"cutoff", 0.1}});
  CHECK(at(g, 1, 1) == 1.0);
  CHECK(at(g, 4, 5) == 0.0);
}

TEST_CASE("random parameters: uniform in [min, max), truncated normal and lognormal", "[spatial][parameter]") {
  Rng rng(42);
  const SpatialParameter u = param("uniform", {{"min", -1.0}, {"max", 3.0}});
  const SpatialParameter n = param("normal", {{"mean", 1.0}, {"sigma", 2.0}, {"min", 0.0}, {"max", 2.0}});
  const SpatialParameter full = param("normal", {{"mean", 1.0}, {"sigma", 2.0}});
  const SpatialParameter ln = param("lognormal", {{"mu", 0.5}, {"sigma", 0.25}});
  CHECK(u.is_random());
  double su = 0, sn = 0, sf = 0, sf2 = 0, sl = 0;
  const int count = 200000;
  for (int i = 0; i < count; ++i) {
    const double a = u({0, 0}, rng), b = n({0, 0}, rng), c = full({0, 0}, rng), e = ln({0, 0}, rng);
    REQUIRE(a >= -1.0);
    REQUIRE(a < 3.0);
    REQUIRE(b >= 0.0);
    REQUIRE(b < 2.0);
    REQUIRE(e > 0.0);
    su += a;
    sn += b;
    sf += c;
    sf2 += c * c;
    sl += e;
  }
  CHECK(su / count == Approx(1.0).margin(0.02));
  CHECK(sn / count == Approx(1.0).margin(0.01));  // symmetric truncation keeps the mean
  CHECK(sf / count == Approx(1.0).margin(0.02));
  CHECK(std::sqrt(sf2 / count - (sf / count) * (sf / count)) == Approx(2.0).margin(0.02));
  CHECK(sl / count == Approx(std::exp(0.5 + 0.25 * 0.25 / 2)).margin(0.01));
}

TEST_CASE("parameter dictionaries are validated with paths", "[spatial][parameter][errors]") {
  expect_error(Dict{{"gaussian", Dict{{"sigma", -1.0}}}}, "weights/gaussian/sigma", "must be > 0, got -1");
  expect_error(Dict{{"exponential", Dict{{"tau", 0.0}}}}, "weights/exponential/tau", "must be > 0, got 0");
  expect_error(Dict{{"uniform", Dict{{"min", 2.0}, {"max", 1.0}}}}, "weights/uniform/min", "must be < max");
  expect_error(Dict{{"normal", Dict{{"sigma", 0.0}}}}, "weights/normal/sigma", "must be > 0");
  expect_error(Dict{{"lognormal", Dict{{"min", 1.0}, {"max", 1.0}}}}, "weights/lognormal/min", "must be < max");
  expect_error(Dict{{"gaussian2D", Dict{{"rho", 1.0}}}}, "weights/gaussian2D/rho", "(-1, 1)");
  expect_error(Dict{{"gaussian2D", Dict{{"sigma_y", 0.0}}}}, "weights/gaussian2D/sigma_y", "must be > 0");
  expect_error(Dict{{"gaussian2D", Dict{{"cutoff", 0.1}}}}, "weights/gaussian2D/cutoff", "ignored by NEST");
  expect_error(Dict{{"gamma", Dict{{"kappa", 0.0}}}}, "weights/gamma/kappa", "must be > 0");
  expect_error(Dict{{"linear", Dict{{"b", 1.0}}}}, "weights/linear/b", "unknown linear parameter");
  expect_error(Dict{{"constant", Dict{}}}, "weights/constant/value", "is required");
  expect_error(Dict{{"cosine", Dict{}}}, "weights/cosine", "unknown parameter type");
  expect_error(Dict{{"linear", Dict{}}, {"gaussian", Dict{}}}, "weights", "exactly one key");
  expect_error(Value(true), "weights", "must be a number or a one-key mapping");
  expect_error(Value("gaussian"), "weights", "must be a number or a one-key mapping");
  expect_error(Dict{{"linear", Dict{{"a", "x"}}}}, "weights/linear/a", "expected a number");
  expect_error(Dict{{"linear", Dict{{"anchor", std::vector<double>{1.0, 2.0, 3.0}}}}}, "weights/linear/anchor",
               "two numbers");
}

TEST_CASE("NEST 2.20 test_weight_delay: linear weights and delays on a periodic row, h = 0.04",
          "[spatial][parameter][connect]") {
  Simulator sim;
  sim.set_kernel_status({{"resolution", 0.04}});
  const Dict row = grid(1, 10, 10.0, 1.0, true, "parrot_neuron");
  const GridLayer src = create_grid_layer(sim, row);
  const GridLayer tgt = create_grid_layer(sim, row);
  const Dict linear{{"linear", Dict{{"c", 1.0}, {"a", -0.02}}}};
  const std::size_t n = connect_layers(
      sim, src, tgt,
      {{"connection_type", "divergent"},
       {"mask", Dict{{"grid", Dict{{"rows", 1}, {"columns", 10}}}, {"anchor", Dict{{"row", 0}, {"column", 0}}}}},
       {"weights", linear},
       {"delays", linear}});
  REQUIRE(n == 100);  // a mask exactly as wide as the layer finds every node once
  // By |displacement| 0..5 (the half extent wraps to -5).
  const double weight[] = {1.0, 0.98, 0.96, 0.94, 0.92, 0.9};
  const double delay[] = {1.0, 1.0, 0.96, 0.96, 0.92, 0.92};
  std::map<std::pair<NodeId, NodeId>, int> seen;
  for (const auto& c : connections(sim)) {
    const Point2 d = tgt.displacement(src.position_of(c.source), c.target);
    const auto k = static_cast<std::size_t>(std::lround(std::fabs(d[0])));
    CHECK(d[0] >= -5.0);
    CHECK(d[0] < 5.0);
    CHECK(c.weight == Approx(weight[k]).epsilon(1e-12));
    CHECK(c.delay_ms == Approx(delay[k]).epsilon(1e-12));
    ++seen[{c.source, c.target}];
  }
  CHECK(seen.size() == 100);
}

TEST_CASE("weights and delays default to the synapse model's; delays below one step fail", "[spatial][connect]") {
  Simulator sim;
  setup(sim);
  sim.copy_model("static_synapse", "slow", {{"weight", 2.5}, {"delay", 3.0}, {"receptor_type", 1}});
  const GridLayer l = create_grid_layer(sim, grid(3, 3, 3.0, 3.0, false));
  connect_layers(sim, l, l, {{"connection_type", "convergent"}, {"mask", circle(0.5)}, {"synapse_model", "slow"}});
  const auto conns = connections(sim);
  REQUIRE(conns.size() == 9);
  for (const auto& c : conns) {
    CHECK(c.synapse_model == "slow");
    CHECK(c.weight == 2.5);
    CHECK(c.delay_ms == Approx(3.0));
    CHECK(c.receptor == 1);
  }
  try {
    connect_layers(sim, l, l,
                   {{"connection_type", "convergent"},
                    {"mask", circle(1.5)},
                    {"delays", Dict{{"linear", Dict{{"c", 0.5}, {"a", -0.5}}}}}});
    FAIL("no error");
  } catch (const UserError& e) {
    CHECK(e.path() == "delays");
    CHECK_THAT(e.message(), Contains("less than one time step"));
  }
  CHECK_THROWS_AS(connect_layers(sim, l, l, {{"connection_type", "convergent"}, {"delays", 0.01}}), UserError);
}

TEST_CASE("after a simulation, new delays must lie within the kernel's delay range", "[spatial][connect]") {
  Simulator sim;
  setup(sim);
  const GridLayer l = create_grid_layer(sim, grid(3, 3, 3.0, 3.0, false));
  connect_layers(sim, l, l, {{"connection_type", "convergent"}, {"mask", circle(0.5)}, {"delays", 1.0}});
  sim.simulate(1.0);
  CHECK_NOTHROW(connect_layers(sim, l, l, {{"connection_type", "convergent"}, {"mask", circle(0.5)}, {"delays", 1.0}}));
  try {
    connect_layers(sim, l, l, {{"connection_type", "divergent"}, {"mask", circle(0.5)}, {"delays", 2.0}});
    FAIL("no error");
  } catch (const UserError& e) {
    CHECK(e.path() == "delays");
    CHECK_THAT(e.message(), Contains("after the first simulation"));
  }
}
