// Spikes of multiplicity n through synapses (mc-sleep spec §2): NEST's spike register holds a
// neuron's (or parrot's) spike of multiplicity n as n entries, so every synapse runs its rule n
// times at one stamp and a weight_recorder logs each run; devices without proxies
// (spike_generator, poisson_generator) deliver it once, with multiplicity n.
#include <catch2/catch.hpp>

#include <cmath>

#include "nestling/simulator.hpp"

using namespace nestling;

namespace {
struct Logged {
  std::vector<double> weights, times;
};

// spike_generator (spikes at `times` with `multiplicities`) → [parrot →] synapse `model` → parrot,
// with a weight_recorder on the synapse; returns what it logged and the target's spike count.
std::pair<Logged, std::size_t> run(const std::string& model, const Dict& model_params, bool via_parrot,
                                   const std::vector<double>& times, const std::vector<double>& multiplicities) {
  Simulator sim;
  auto sg = sim.create("spike_generator", 1, {{"spike_times", times}, {"spike_multiplicities", multiplicities}});
  auto parrot = sim.create("parrot_neuron");
  auto target = sim.create("parrot_neuron");
  auto wr = sim.create("weight_recorder");
  auto det = sim.create("spike_detector");
  Dict p = model_params;
  p.set("weight_recorder", static_cast<long>(wr[0]));
  sim.copy_model(model, "recorded", p);
  if (via_parrot) {
    sim.connect(sg, parrot);
    sim.connect(parrot, target, Rule::all_to_all, {.model = "recorded", .weight = 1.0});
  } else {
    sim.connect(sg, target, Rule::all_to_all, {.model = "recorded", .weight = 1.0});
  }
  sim.connect(target, det);
  sim.simulate(100.0);
  const WeightData w = sim.weights(wr[0]);
  return {{w.weights, w.times}, sim.spikes(det[0]).times.size()};
}
}  // namespace

TEST_CASE("multiplicity: a parrot's double spike runs a stateful synapse twice, the second with no time elapsed",
          "[kernel][multiplicity]") {
  SECTION("ht_synapse: w·P, then w·P after one depletion") {
    const auto [log, received] = run("ht_synapse", {}, true, {10.0, 20.0}, {2.0, 1.0});
    REQUIRE(log.weights.size() == 3);
    CHECK(log.weights[0] == 1.0);
    CHECK(log.weights[1] == 0.875);  // P = 1 − 0.125, no recovery within the same stamp
    CHECK(log.times[0] == log.times[1]);
    // the third spike recovers from P = 0.875·0.875 over 10 ms
    CHECK(log.weights[2] == Approx(1.0 - (1.0 - 0.765625) * std::exp(-10.0 / 500.0)).epsilon(1e-14));
    CHECK(received == 3);
  }
  SECTION("tsodyks2_synapse: x and u updated twice at one stamp") {
    const double U = 0.5, tau_rec = 200.0;
    const auto [log, received] = run("tsodyks2_synapse", {{"U", U}, {"u", U}, {"tau_rec", tau_rec}}, true, {10.0}, {3.0});
    REQUIRE(log.weights.size() == 3);
    double x = 1.0, u = U;
    const double t = 11.0;  // the parrot's stamp
    for (int k = 0; k < 3; ++k) {
      const double decay = k == 0 ? std::exp(-t / tau_rec) : 1.0;
      x = 1.0 + (x - x * u - 1.0) * decay;
      u = U;  // no facilitation
      CHECK(log.weights[static_cast<std::size_t>(k)] == Approx(x * u).epsilon(1e-14));
    }
    CHECK(received == 3);
  }
  SECTION("static_synapse: a weight_recorder logs every spike of the multiplicity") {
    const auto [log, received] = run("static_synapse", {}, true, {10.0}, {2.0});
    CHECK(log.weights == std::vector<double>{1.0, 1.0});
    CHECK(received == 2);
  }
}

TEST_CASE("multiplicity: a spike_generator's multiple spike passes a synapse once (no proxies)", "[kernel][multiplicity]") {
  const auto [log, received] = run("ht_synapse", {}, false, {10.0, 20.0}, {2.0, 1.0});
  REQUIRE(log.weights.size() == 2);
  CHECK(log.weights[0] == 1.0);
  CHECK(log.weights[1] == Approx(1.0 - 0.125 * std::exp(-10.0 / 500.0)).epsilon(1e-14));
  CHECK(received == 3);  // the target still counts the multiplicity
}
