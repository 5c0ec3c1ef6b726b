// sinusoidal_poisson_generator (nest-2.20 spec §4.7, mc-sleep spec §4): the rate in absolute time,
// the oscillator re-initialised at every Simulate, poisson_generator's window, and individual vs
// shared trains.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numbers>

#include "nestling/simulator.hpp"

using namespace nestling;

namespace {

// max(0, rate + amplitude·sin(2π·f·t/1000 + φ·π/180)) spikes/s at time t (ms).
double expected_rate(const Dict& p, double t) {
  const double omega = p.at("frequency").as_double() * 2.0 * std::numbers::pi / 1000.0;
  const double phi = p.at("phase").as_double() * std::numbers::pi / 180.0;
  return std::max(0.0, p.at("rate").as_double() + p.at("amplitude").as_double() * std::sin(omega * t + phi));
}

// A generator with `params`, its `rate` sampled every step; `runs` are the Simulate calls and the
// parameter changes made before each.
SampleData sampled_rates(const Dict& params, const std::vector<std::pair<double, Dict>>& runs, double h = 0.1) {
  Simulator sim;
  sim.set_kernel_status({{"resolution", h}});
  auto gen = sim.create("sinusoidal_poisson_generator", 1, params);
  auto mm = sim.create("multimeter", 1, {{"interval", h}, {"record_from", List{Value("rate")}}});
  sim.connect(mm, gen);
  for (const auto& [ms, change] : runs) {
    if (!change.empty()) sim.set_status(gen[0], change);
    sim.simulate(ms);
  }
  return sim.samples(mm[0]);
}

std::map<NodeId, std::vector<double>> trains(const SpikeData& d) {
  std::map<NodeId, std::vector<double>> out;
  for (std::size_t i = 0; i < d.times.size(); ++i) out[d.senders[i]].push_back(d.times[i]);
  return out;
}

const Dict grating = {{"rate", 60.0}, {"amplitude", 80.0}, {"frequency", -3.0}, {"phase", 36.0}};
}  // namespace

TEST_CASE("sinusoidal_poisson_generator: rate at the step ending at t is max(0, rate + amplitude·sin(ωt + φ))",
          "[generator][sinusoidal]") {
  const Dict p = {{"rate", 10.0}, {"amplitude", 50.0}, {"frequency", 7.0}, {"phase", 30.0}};
  const SampleData s = sampled_rates(p, {{300.0, {}}});
  const auto& rate = s["rate"];
  // samples at 0.1 … 299.0 ms: those of the last slice (min_delay = the multimeter's 1 ms) would
  // arrive with a later run, as in NEST
  REQUIRE(rate.size() == 2990);
  std::size_t rectified = 0;
  for (std::size_t k = 0; k < rate.size(); ++k) {
    CHECK(std::fabs(rate[k] - expected_rate(p, s.times[k])) < 1e-9);
    rectified += rate[k] == 0.0;
  }
  CHECK(rectified > 500);  // the negative half-waves are cut off
  // e.g. t = 0.1 ms: 10 + 50·sin(2π·7·0.1/1000 + π/6) = 35.190389... spikes/s
  CHECK(s.times[0] == Approx(0.1));
  CHECK(rate[0] == Approx(10.0 + 50.0 * std::sin(2.0 * std::numbers::pi * 7.0e-4 + std::numbers::pi / 6.0)).epsilon(1e-12));
}

TEST_CASE("sinusoidal_poisson_generator: the phase is absolute, however the run is split", "[generator][sinusoidal]") {
  const SampleData whole = sampled_rates(grating, {{500.0, {}}, {1.0, {}}});
  const SampleData split = sampled_rates(grating, {{123.4, {}}, {0.3, {}}, {376.3, {}}, {1.0, {}}});
  REQUIRE(whole["rate"].size() == split["rate"].size());
  for (std::size_t k = 0; k < whole["rate"].size(); ++k) {
    CHECK(split.times[k] == whole.times[k]);
    CHECK(std::fabs(split["rate"][k] - whole["rate"][k]) < 1e-10);
    CHECK(std::fabs(whole["rate"][k] - expected_rate(grating, whole.times[k])) < 1e-9);
  }
}

TEST_CASE("sinusoidal_poisson_generator: changes between Simulate calls act from the next one, in absolute time",
          "[generator][sinusoidal]") {
  const Dict later = {{"rate", 30.0}, {"amplitude", 20.0}, {"frequency", 5.0}, {"phase", 90.0}};
  const SampleData s = sampled_rates(grating, {{100.0, {}}, {100.0, later}, {1.0, {}}});
  const auto& rate = s["rate"];
  REQUIRE(rate.size() == 2000);
  for (std::size_t k = 0; k < rate.size(); ++k) {
    const double t = s.times[k];
    // the sample at 100.0 ms belongs to the last step of the first run
    CHECK(std::fabs(rate[k] - expected_rate(t <= 100.0 + 1e-9 ? grating : later, t)) < 1e-9);
  }
  // referenced to t = 0, not to the start of the second run: at 150 ms, 30 + 20·sin(2π·0.75 + π/2)
  const auto at150 = static_cast<std::size_t>(std::find_if(s.times.begin(), s.times.end(),
                                                            [](double t) { return std::fabs(t - 150.0) < 1e-9; }) -
                                               s.times.begin());
  CHECK(rate[at150] == Approx(30.0 + 20.0 * std::sin(1.5 * std::numbers::pi + std::numbers::pi / 2.0)).margin(1e-9));
}

TEST_CASE("sinusoidal_poisson_generator: no checks on the parameters, as in NEST", "[generator][sinusoidal]") {
  Simulator sim;
  const Dict d = sim.get_defaults("sinusoidal_poisson_generator");
  for (const char* key : {"rate", "amplitude", "frequency", "phase"}) CHECK(d.at(key).as_double() == 0.0);
  CHECK(d.at("individual_spike_trains").as_bool());
  auto gen = sim.create("sinusoidal_poisson_generator", 1,
                        {{"rate", -5.0}, {"amplitude", -10.0}, {"frequency", -3.0}, {"phase", -720.0}});
  CHECK(sim.get_status(gen[0]).at("frequency").as_double() == -3.0);
  sim.simulate(1.0);
  sim.set_status(gen[0], {{"rate", std::numeric_limits<double>::infinity()}});
  CHECK_THROWS_AS(sim.simulate(1.0), UserError);  // a Poisson draw needs a finite rate
}

TEST_CASE("sinusoidal_poisson_generator: individual_spike_trains only through SetDefaults or CopyModel",
          "[generator][sinusoidal]") {
  Simulator sim;
  auto gen = sim.create("sinusoidal_poisson_generator");
  CHECK_THROWS_AS(sim.set_status(gen[0], {{"individual_spike_trains", false}}), UserError);
  CHECK_THROWS_AS(sim.set_status(gen[0], {{"individual_spike_trains", true}}), UserError);  // even unchanged
  CHECK_THROWS_AS(sim.create("sinusoidal_poisson_generator", 1, {{"individual_spike_trains", false}}), UserError);
  sim.copy_model("sinusoidal_poisson_generator", "shared_sine", {{"individual_spike_trains", false}});
  CHECK_FALSE(sim.get_status(sim.create("shared_sine")[0]).at("individual_spike_trains").as_bool());
  sim.set_defaults("sinusoidal_poisson_generator", {{"individual_spike_trains", false}});
  CHECK_FALSE(sim.get_status(sim.create("sinusoidal_poisson_generator")[0]).at("individual_spike_trains").as_bool());
  CHECK(sim.get_status(gen[0]).at("individual_spike_trains").as_bool());  // existing nodes keep theirs
}

TEST_CASE("sinusoidal_poisson_generator: spikes in (origin+start+h, origin+stop+h], none in the first step",
          "[generator][sinusoidal]") {
  // 10^6 spikes/s: ~100 per 0.1 ms step, so every active step carries spikes.
  for (bool individual : {true, false}) {
    for (auto [window, first, last] : {std::tuple{Dict{}, 0.2, 5.0}, {Dict{{"origin", 2.0}, {"stop", 1.0}}, 2.2, 3.1},
                                       {Dict{{"start", 1.5}, {"stop", 1.8}}, 1.7, 1.9}}) {
      Simulator sim;
      sim.copy_model("sinusoidal_poisson_generator", "gen", {{"individual_spike_trains", individual}});
      Dict p = {{"rate", 1.0e6}};
      for (const auto& [k, v] : window) p.set(k, v);
      auto gen = sim.create("gen", 1, p);
      auto parrot = sim.create("parrot_neuron");
      auto det = sim.create("spike_detector");
      sim.connect(gen, parrot);  // delay 1 ms
      sim.connect(parrot, det);
      sim.simulate(6.0);
      auto t = sim.spikes(det[0]).times;
      t.erase(std::unique(t.begin(), t.end()), t.end());
      INFO("individual " << individual << ", first " << first);
      REQUIRE(!t.empty());
      CHECK(t.front() == Approx(first + 1.0));
      CHECK(t.back() == Approx(std::min(last + 1.0, 6.0)));
      CHECK(t.size() == static_cast<std::size_t>(std::llround((std::min(last + 1.0, 6.0) - first - 1.0) / 0.1)) + 1);
    }
  }
}

TEST_CASE("sinusoidal_poisson_generator: individual trains differ, a shared train is the same for every target",
          "[generator][sinusoidal]") {
  // Expected spikes per train: the generator's stamps 0.4 … 1999.0 ms reach the parrots (1 ms
  // delay) within the 2000 ms run, each step carrying r(stamp)·h.
  double expected = 0.0;
  for (long s = 2; s <= 9995; ++s) expected += expected_rate(grating, static_cast<double>(s) * 0.2) * 0.2e-3;
  std::map<int, std::map<bool, std::map<NodeId, std::vector<double>>>> by_threads;
  for (int threads : {1, 2}) {
    for (bool individual : {true, false}) {
      Simulator sim;
      sim.set_kernel_status({{"resolution", 0.2}, {"local_num_threads", threads}, {"rng_seed", 17}});
      sim.copy_model("sinusoidal_poisson_generator", "gen", {{"individual_spike_trains", individual}});
      auto gen = sim.create("gen", 1, grating);
      auto parrots = sim.create("parrot_neuron", 20);
      auto det = sim.create("spike_detector");
      sim.connect(gen, parrots);
      sim.connect(parrots, det);
      sim.simulate(2000.0);
      const auto t = trains(sim.spikes(det[0]));
      REQUIRE(t.size() == 20);
      std::size_t total = 0;
      bool identical = true;
      for (const auto& [id, train] : t) {
        total += train.size();
        identical = identical && train == t.begin()->second;
      }
      CHECK(identical == !individual);
      // Poisson counts: within 4 standard deviations (20 independent trains, or one train 20 times)
      const double mean_per_train = static_cast<double>(total) / 20.0;
      const double sd_of_mean = std::sqrt(expected / (individual ? 20.0 : 1.0));
      CHECK(std::fabs(mean_per_train - expected) < 4.0 * sd_of_mean);
      by_threads[threads][individual] = t;
    }
  }
  CHECK(by_threads[1] == by_threads[2]);  // streams belong to nodes, not threads
}

TEST_CASE("sinusoidal_poisson_generator: a shared train passes stateful synapses once per spike", "[generator][sinusoidal]") {
  // The shared generator has proxies in NEST: a count n reaches each synapse as n spikes.
  Simulator sim;
  sim.set_kernel_status({{"resolution", 0.1}});
  sim.copy_model("sinusoidal_poisson_generator", "gen", {{"individual_spike_trains", false}});
  auto gen = sim.create("gen", 1, {{"rate", 50000.0}});  // 5 per step on average
  auto target = sim.create("parrot_neuron");
  auto wr = sim.create("weight_recorder");
  auto det = sim.create("spike_detector");
  sim.copy_model("ht_synapse", "recorded", {{"weight_recorder", static_cast<long>(wr[0])}});
  sim.connect(gen, target, Rule::all_to_all, {.model = "recorded"});
  sim.connect(target, det);
  sim.simulate(3.0);
  const WeightData w = sim.weights(wr[0]);
  CHECK(w.weights.size() == sim.spikes(det[0]).times.size());
  REQUIRE(w.weights.size() > 20);
  // within one stamp each further spike sees the pool depleted once more: P·(1 − 0.125)^k
  for (std::size_t k = 1; k < w.weights.size(); ++k)
    if (w.times[k] == w.times[k - 1]) CHECK(w.weights[k] == Approx(w.weights[k - 1] * 0.875).margin(1e-15));
}
