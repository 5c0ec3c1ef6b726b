// Stimulating devices: NEST 2.20's rounding and activity windows (spec §4), exact values.
#include <catch2/catch.hpp>

#include "nestling/simulator.hpp"

using namespace nestling;
using Catch::Matchers::Equals;

namespace {
std::vector<double> dvec(std::initializer_list<double> v) { return v; }

// Spike times a spike_generator with `params` sends to a detector within `t` ms.
std::vector<double> generated(const Dict& params, double t = 10.0) {
  Simulator sim;
  auto sg = sim.create("spike_generator", 1, params);
  auto det = sim.create("spike_detector");
  sim.connect(sg, det);
  sim.simulate(t);
  return sim.spikes(det[0]).times;
}
}  // namespace

TEST_CASE("spike_generator: times within tic/2 of the grid are on the grid (test_spike_generator)", "[generator]") {
  CHECK_THAT(generated({{"spike_times", dvec({2.9999, 4.3001})}}), Equals(dvec({3.0, 4.3})));
  CHECK_THAT(generated({{"spike_times", dvec({1.0, 1.9999, 3.0001})}}), Equals(dvec({1.0, 2.0, 3.0})));
}

TEST_CASE("spike_generator: off-grid times are errors unless allowed, then rounded up", "[generator]") {
  CHECK_THROWS_AS(generated({{"spike_times", dvec({1.0, 1.05, 3.0})}}), UserError);
  CHECK_THROWS_AS(generated({{"spike_times", dvec({4.33})}}), UserError);
  CHECK_THAT(generated({{"spike_times", dvec({1.0, 1.05, 3.0001})}, {"allow_offgrid_times", true}}),
             Equals(dvec({1.0, 1.1, 3.0})));
}

TEST_CASE("spike_generator: precise_times rounds up to the end of the step", "[generator]") {
  Simulator sim;
  auto sg = sim.create("spike_generator", 1, {{"spike_times", dvec({1.0, 1.05, 3.0001})}, {"precise_times", true}});
  auto det = sim.create("spike_detector");
  sim.connect(sg, det);
  sim.simulate(5.0);
  CHECK_THAT(sim.spikes(det[0]).times, Equals(dvec({1.0, 1.1, 3.1})));
  // get_status reports the times as given (stamp minus offset)
  CHECK_THAT(sim.get_status(sg[0]).at("spike_times").as_double_vector(), Equals(dvec({1.0, 1.05, 3.0001})));
}

TEST_CASE("spike_generator: a spike at the current time is dropped unless shift_now_spikes", "[generator]") {
  for (bool shift : {false, true}) {
    Simulator sim;
    auto sg = sim.create("spike_generator");
    auto det = sim.create("spike_detector");
    sim.connect(sg, det);
    sim.simulate(10.0);
    sim.set_status(sg[0], {{"spike_times", dvec({10.0001})}, {"shift_now_spikes", shift}});
    sim.simulate(10.0);
    CHECK(sim.spikes(det[0]).times == (shift ? dvec({10.1}) : dvec({})));
  }
}

TEST_CASE("spike_generator: a spike time of 0 is rejected", "[generator]") {
  CHECK_THROWS_AS(generated({{"spike_times", dvec({0.0, 1.0})}}), UserError);
}

TEST_CASE("spike_generator: spikes in (origin+start, origin+stop], times relative to origin", "[generator]") {
  const auto times = dvec({1.0, 2.0, 3.0, 4.0, 5.0});
  CHECK_THAT(generated({{"spike_times", times}, {"start", 2.0}, {"stop", 4.0}}), Equals(dvec({3.0, 4.0})));
  CHECK_THAT(generated({{"spike_times", times}, {"origin", 10.0}, {"start", 2.0}, {"stop", 4.0}}, 20.0),
             Equals(dvec({13.0, 14.0})));
}

TEST_CASE("spike_generator: spike_times must be non-decreasing, weights one per time", "[generator]") {
  Simulator sim;
  CHECK_THROWS_AS(sim.create("spike_generator", 1, {{"spike_times", dvec({2.0, 1.0})}}), UserError);
  CHECK_THROWS_AS(sim.create("spike_generator", 1, {{"spike_times", dvec({1.0, 2.0})}, {"spike_weights", dvec({1.0})}}),
                  UserError);
}

TEST_CASE("poisson_generator: spikes lie in (start+h, stop+h]", "[generator]") {
  Simulator sim;
  auto pg = sim.create("poisson_generator", 1, {{"rate", 1.0e6}, {"start", 1.0}, {"stop", 2.0}});
  auto det = sim.create("spike_detector");
  sim.connect(pg, det);
  sim.simulate(5.0);
  auto t = sim.spikes(det[0]).times;
  REQUIRE(!t.empty());
  CHECK(*std::min_element(t.begin(), t.end()) == Approx(1.2));
  CHECK(*std::max_element(t.begin(), t.end()) == Approx(2.1));
}

TEST_CASE("poisson_generator: every target gets its own train with the right rate", "[generator]") {
  Simulator sim;
  auto pg = sim.create("poisson_generator", 1, {{"rate", 500.0}});
  auto parrots = sim.create("parrot_neuron", 20);
  auto det = sim.create("spike_detector");
  sim.connect(pg, parrots);
  sim.connect(parrots, det);
  sim.simulate(1000.0);
  auto s = sim.spikes(det[0]);
  // 20 trains x 500 spikes expected; Poisson sd = sqrt(10000) = 100
  CHECK(s.times.size() > 9500);
  CHECK(s.times.size() < 10500);
  // independent: the first two parrots do not share their spike times
  std::vector<double> a, b;
  for (std::size_t i = 0; i < s.times.size(); ++i) {
    if (s.senders[i] == parrots[0]) a.push_back(s.times[i]);
    if (s.senders[i] == parrots[1]) b.push_back(s.times[i]);
  }
  CHECK(a != b);
}

TEST_CASE("dc_generator: active while origin+start <= T+1 < origin+stop (recordable I)", "[generator]") {
  Simulator sim;
  auto dc = sim.create("dc_generator", 1, {{"amplitude", 7.0}, {"start", 1.0}, {"stop", 2.0}});
  auto mm = sim.create("multimeter", 1, {{"interval", 0.1}, {"record_from", List{"I"}}});
  sim.connect(mm, dc);
  sim.simulate(4.0);
  auto s = sim.samples(mm[0]);
  for (std::size_t i = 0; i < s.times.size(); ++i) {
    const double t = s.times[i];
    const bool on = t > 0.95 && t < 1.95;  // stamps 1.0 ... 1.9
    CHECK(s["I"][i] == (on ? 7.0 : 0.0));
  }
}

TEST_CASE("step_current_generator: amplitude from each time on; origin does not shift times", "[generator]") {
  Simulator sim;
  auto scg = sim.create("step_current_generator", 1,
                        {{"amplitude_times", dvec({1.0, 2.0})}, {"amplitude_values", dvec({5.0, -3.0})},
                         {"origin", 0.5}});
  auto mm = sim.create("multimeter", 1, {{"interval", 0.1}, {"record_from", List{"I"}}});
  sim.connect(mm, scg);
  sim.simulate(3.0);
  auto s = sim.samples(mm[0]);
  auto at = [&](double t) {
    for (std::size_t i = 0; i < s.times.size(); ++i)
      if (std::abs(s.times[i] - t) < 1e-9) return s["I"][i];
    FAIL("no sample at " << t);
    return 0.0;
  };
  CHECK(at(0.9) == 0.0);
  CHECK(at(1.0) == 5.0);
  CHECK(at(1.9) == 5.0);
  CHECK(at(2.0) == -3.0);
  CHECK_THROWS_AS(sim.create("step_current_generator", 1, {{"amplitude_times", dvec({1.0, 1.0})},
                                                          {"amplitude_values", dvec({1.0, 2.0})}}),
                  UserError);
}

TEST_CASE("unknown parameters name the model and list valid names", "[models]") {
  Simulator sim;
  try {
    sim.create("poisson_generator", 1, {{"rte", 5.0}});
    FAIL("expected an error");
  } catch (const UserError& e) {
    CHECK_THAT(e.what(), Catch::Contains("poisson_generator") && Catch::Contains("rte") && Catch::Contains("rate"));
  }
  CHECK_THROWS_AS(sim.create("poisson_generator", 1, {{"rate", -1.0}}), UserError);
  CHECK_THROWS_AS(sim.create("poisson_generator", 1, {{"rate", "fast"}}), UserError);
}

TEST_CASE("CopyModel makes a named model with changed defaults", "[models]") {
  Simulator sim;
  sim.copy_model("poisson_generator", "fast_input", {{"rate", 80.0}});
  CHECK(sim.get_defaults("fast_input").at("rate").as_double() == 80.0);
  CHECK(sim.get_defaults("poisson_generator").at("rate").as_double() == 0.0);
  auto n = sim.create("fast_input");
  CHECK(sim.get_status(n[0]).at("model").as_string() == "fast_input");
  CHECK(sim.get_status(n[0]).at("rate").as_double() == 80.0);
  CHECK_THROWS_AS(sim.copy_model("poisson_generator", "fast_input"), UserError);
  CHECK_THROWS_AS(sim.copy_model("no_such_model", "x"), UserError);
  CHECK_THROWS_AS(sim.copy_model("poisson_generator", "bad", {{"rate", -5.0}}), UserError);
  sim.copy_model("static_synapse", "strong", {{"weight", 3.0}});
  CHECK(sim.get_defaults("strong").at("weight").as_double() == 3.0);
}

TEST_CASE("ht_synapse: recorded weights w*P follow the closed form (HillTononiModels notebook)", "[synapse]") {
  Simulator sim;
  auto sg = sim.create("spike_generator", 1, {{"spike_times", dvec({10, 12, 20, 20.5, 100, 200, 1000})}});
  auto pre = sim.create("parrot_neuron");
  auto post = sim.create("parrot_neuron");
  auto wr = sim.create("weight_recorder");
  sim.copy_model("ht_synapse", "ht_recorded", {{"weight_recorder", static_cast<long>(wr[0])}});
  sim.connect(sg, pre);
  sim.connect(pre, post, Rule::all_to_all, {.model = "ht_recorded", .weight = 1.0});
  sim.simulate(1100.0);
  auto w = sim.weights(wr[0]);
  const auto expected = dvec({1.0, 0.875499, 0.76977486, 0.67387928, 0.64996814, 0.64689954, 0.9123844});
  REQUIRE(w.weights.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) CHECK(w.weights[i] == Approx(expected[i]).epsilon(1e-6));
  CHECK(w.times.front() == Approx(11.0));  // the presynaptic (parrot) spike time
  CHECK(w.senders.front() == pre[0]);
  CHECK(w.targets.front() == post[0]);
}
