// Kernel timing rules of NEST 2.20 (spec §0, §3, §5, §7), each with exact expected values.
#include <catch2/catch.hpp>

#include "nestling/simulator.hpp"

using namespace nestling;
using Catch::Matchers::Equals;

namespace {
std::vector<double> dvec(std::initializer_list<double> v) { return v; }
}  // namespace

TEST_CASE("parrot repeats a spike at input time plus delay", "[kernel][parrot]") {
  Simulator sim;
  auto sg = sim.create("spike_generator", 1, {{"spike_times", dvec({1.0, 2.5})}});
  auto parrot = sim.create("parrot_neuron");
  auto det = sim.create("spike_detector");
  sim.connect(sg, parrot, Rule::all_to_all, {.delay = 0.2});
  sim.connect(parrot, det);
  sim.simulate(5.0);
  auto s = sim.spikes(det[0]);
  CHECK_THAT(s.times, Equals(dvec({1.2, 2.7})));
  CHECK(s.senders == std::vector<NodeId>{parrot[0], parrot[0]});
}

TEST_CASE("parrot passes multiplicity on and counts every incoming connection", "[kernel][parrot]") {
  Simulator sim;
  auto sg = sim.create("spike_generator", 1, {{"spike_times", dvec({1.0})}, {"spike_multiplicities", dvec({3.0})}});
  auto parrot = sim.create("parrot_neuron");
  auto parrot2 = sim.create("parrot_neuron");
  auto det = sim.create("spike_detector");
  sim.connect(sg, parrot);
  sim.connect(sg, parrot2);
  sim.connect(sg, parrot2);  // two connections: two copies
  sim.connect(parrot, det);
  sim.connect(parrot2, det);
  sim.simulate(3.0);
  auto s = sim.spikes(det[0]);
  REQUIRE(s.times.size() == 9);  // 3 from parrot, 2 x 3 from parrot2
  for (double t : s.times) CHECK(t == 2.0);
  CHECK(std::count(s.senders.begin(), s.senders.end(), parrot[0]) == 3);
}

TEST_CASE("parrot ignores spikes on receptor 1 and rejects other receptors", "[kernel][parrot]") {
  Simulator sim;
  auto sg = sim.create("spike_generator", 1, {{"spike_times", dvec({1.0})}});
  auto parrot = sim.create("parrot_neuron");
  auto det = sim.create("spike_detector");
  sim.connect(sg, parrot, Rule::all_to_all, {.receptor = 1});
  sim.connect(parrot, det);
  CHECK_THROWS_AS(sim.connect(sg, parrot, Rule::all_to_all, {.receptor = 2}), UserError);
  sim.simulate(5.0);
  CHECK(sim.spikes(det[0]).times.empty());
}

TEST_CASE("delays round to whole steps and must be at least one step", "[kernel][delay]") {
  Simulator sim;
  auto sg = sim.create("spike_generator", 1, {{"spike_times", dvec({1.0})}});
  auto parrot = sim.create("parrot_neuron");
  auto det = sim.create("spike_detector");
  sim.connect(sg, parrot, Rule::all_to_all, {.delay = 0.26});  // 2.6 steps -> 3 steps
  sim.connect(parrot, det);
  CHECK_THROWS_AS(sim.connect(sg, parrot, Rule::all_to_all, {.delay = 0.04}), UserError);
  sim.simulate(3.0);
  CHECK_THAT(sim.spikes(det[0]).times, Equals(dvec({1.3})));
  auto c = sim.get_connections(sg[0], parrot[0]);
  REQUIRE(c.size() == 1);
  CHECK(c[0].delay_ms == Approx(0.3));
}

TEST_CASE("min_delay comes from all connections, including recorder connections", "[kernel][delay]") {
  Simulator sim;
  auto sg = sim.create("spike_generator");
  auto parrot = sim.create("parrot_neuron");
  auto det = sim.create("spike_detector");
  sim.connect(sg, parrot, Rule::all_to_all, {.delay = 2.0});
  sim.connect(parrot, det, Rule::all_to_all, {.delay = 0.5});
  sim.simulate(1.0);
  CHECK(sim.kernel_status().at("min_delay").as_double() == Approx(0.5));
  CHECK(sim.kernel_status().at("max_delay").as_double() == Approx(2.0));
  // After the first simulation, new delays must lie within [min_delay, max_delay].
  CHECK_THROWS_AS(sim.connect(sg, parrot, Rule::all_to_all, {.delay = 3.0}), UserError);
  CHECK_NOTHROW(sim.connect(sg, parrot, Rule::all_to_all, {.delay = 1.0}));
}

TEST_CASE("spike detector window is origin+start < t <= origin+stop", "[kernel][recorder]") {
  Simulator sim;
  auto sg = sim.create("spike_generator", 1, {{"spike_times", dvec({1.0, 2.0, 3.0, 4.0, 5.0, 6.0})}});
  auto det = sim.create("spike_detector", 1, {{"start", 2.0}, {"stop", 4.0}});
  auto det2 = sim.create("spike_detector", 1, {{"start", 1.0}, {"stop", 2.0}, {"origin", 3.0}});
  sim.connect(sg, det);
  sim.connect(sg, det2);
  sim.simulate(10.0);
  CHECK_THAT(sim.spikes(det[0]).times, Equals(dvec({3.0, 4.0})));
  CHECK_THAT(sim.spikes(det2[0]).times, Equals(dvec({5.0})));
}

TEST_CASE("multimeter samples at k*interval, or offset + k*interval (test_multimeter_offset)", "[kernel][multimeter]") {
  Simulator sim;
  sim.set_kernel_status({{"resolution", 0.125}});
  auto dc = sim.create("dc_generator");
  auto mm = sim.create("multimeter", 1,
                       {{"interval", 3.0}, {"offset", 5.0}, {"start", 3.0}, {"stop", 15.0}, {"record_from", List{"I"}}});
  sim.connect(mm, dc);
  sim.simulate(20.0);
  CHECK_THAT(sim.samples(mm[0]).times, Equals(dvec({5.0, 8.0, 11.0, 14.0})));
  sim.set_status(mm[0], {{"origin", 20.0}});  // shifts the window only, not the sampling grid
  sim.simulate(20.0);
  CHECK_THAT(sim.samples(mm[0]).times, Equals(dvec({5.0, 8.0, 11.0, 14.0, 26.0, 29.0, 32.0, 35.0})));
  CHECK_THROWS_AS(sim.set_status(mm[0], {{"offset", 1.0}}), UserError);  // fixed once connected
}

TEST_CASE("a multimeter connected later samples on the same grid (test_multimeter_offset 2)", "[kernel][multimeter]") {
  Simulator sim;
  sim.set_kernel_status({{"resolution", 0.125}});
  Dict params{{"interval", 3.0}, {"offset", 5.0}, {"start", 20.0}, {"stop", 30.0}, {"record_from", List{"I"}}};
  auto dc = sim.create("dc_generator");
  auto mm = sim.create("multimeter", 1, params);
  sim.connect(mm, dc);
  sim.simulate(10.0);
  auto mm2 = sim.create("multimeter", 1, params);
  sim.connect(mm2, dc);
  sim.simulate(20.0);
  CHECK_THAT(sim.samples(mm[0]).times, Equals(dvec({23.0, 26.0, 29.0})));
  CHECK_THAT(sim.samples(mm2[0]).times, Equals(dvec({23.0, 26.0, 29.0})));
}

TEST_CASE("multimeter data of the last min_delay slice arrive with the next simulation (NEST 2.20)",
          "[kernel][multimeter]") {
  Simulator sim;
  auto dc = sim.create("dc_generator");
  auto mm = sim.create("multimeter", 1, {{"interval", 0.5}, {"record_from", List{"I"}}});
  sim.connect(mm, dc);  // delay 1 ms = min_delay
  sim.simulate(3.0);
  CHECK_THAT(sim.samples(mm[0]).times, Equals(dvec({0.5, 1.0, 1.5, 2.0})));
  sim.simulate(1.0);
  CHECK_THAT(sim.samples(mm[0]).times, Equals(dvec({0.5, 1.0, 1.5, 2.0, 2.5, 3.0})));
}

TEST_CASE("unknown recordables are rejected with the valid names", "[kernel][multimeter]") {
  Simulator sim;
  auto dc = sim.create("dc_generator");
  auto mm = sim.create("multimeter", 1, {{"record_from", List{"V_m"}}});
  try {
    sim.connect(mm, dc);
    FAIL("expected an error");
  } catch (const UserError& e) {
    CHECK_THAT(e.what(), Catch::Contains("V_m") && Catch::Contains("valid: I"));
  }
}

TEST_CASE("split simulations equal one simulation", "[kernel]") {
  auto run = [](std::vector<double> chunks) {
    Simulator sim;
    auto sg = sim.create("spike_generator", 1, {{"spike_times", dvec({0.1, 1.0, 1.05, 2.3, 4.9, 5.0})},
                                                {"allow_offgrid_times", true}});
    auto parrots = sim.create("parrot_neuron", 3);
    auto det = sim.create("spike_detector");
    sim.connect(sg, parrots, Rule::all_to_all, {.delay = 0.7});
    sim.connect(parrots, det);
    for (double c : chunks) sim.simulate(c);
    return sim.spikes(det[0]);
  };
  auto whole = run({6.0});
  auto split = run({0.3, 1.8, 2.3, 1.6});
  CHECK(whole.times == split.times);
  CHECK(whole.senders == split.senders);
  CHECK(whole.times.size() == 18);
}

TEST_CASE("simulate refuses times that are not whole steps, as NEST 2.20.2 does", "[kernel]") {
  Simulator sim;
  sim.create("parrot_neuron");
  sim.simulate(0.0);
  CHECK(sim.time() == 0.0);
  CHECK_THROWS_AS(sim.simulate(0.05), UserError);
  CHECK_THROWS_WITH(sim.simulate(0.15),
                    "simulate: 0.15 ms is not a multiple of the resolution 0.1 ms (NEST 2.20 refuses it too)");
  CHECK(sim.time() == 0.0);
  sim.simulate(0.2);
  CHECK(sim.time() == Approx(0.2));
  sim.simulate(0.1000001);  // the same tic as 0.1 ms: on the grid, as for NEST
  CHECK(sim.time() == Approx(0.3));
}

TEST_CASE("node ids are consecutive from 1 in creation order", "[kernel]") {
  Simulator sim;
  auto a = sim.create("parrot_neuron", 3);
  auto b = sim.create("spike_detector");
  CHECK(a[0] == 1);
  CHECK(a[2] == 3);
  CHECK(b[0] == 4);
  CHECK(sim.get_status(2).at("model").as_string() == "parrot_neuron");
}

TEST_CASE("receptors can be addressed by name", "[kernel]") {
  Simulator sim;
  auto sg = sim.create("spike_generator", 1, {{"spike_times", dvec({1.0})}});
  auto n = sim.create("ht_neuron");
  sim.connect(sg, n, Rule::all_to_all, {.receptor_name = "GABA_A"});
  auto c = sim.get_connections(sg[0], n[0]);
  REQUIRE(c.size() == 1);
  CHECK(c[0].receptor == 3);
  try {
    sim.connect(sg, n, Rule::all_to_all, {.receptor_name = "GABA_C"});
    FAIL("expected an error");
  } catch (const UserError& e) {
    CHECK_THAT(e.what(), Catch::Contains("GABA_C") && Catch::Contains("AMPA, NMDA, GABA_A, GABA_B"));
  }
}

TEST_CASE("spikes in flight survive nodes created between Simulate calls", "[kernel][parrot]") {
  // Input buffers are laid out per slot over all nodes of a thread: new nodes widen every slot,
  // and what waits in the buffers must move with it.
  for (int threads : {1, 2}) {
    Simulator sim;
    sim.set_kernel_status({{"local_num_threads", threads}});
    auto sg = sim.create("spike_generator", 1, {{"spike_times", dvec({1.0, 1.5})}});
    auto parrots = sim.create("parrot_neuron", 3);
    auto det = sim.create("spike_detector");
    sim.connect(sg, parrots, Rule::all_to_all, {.delay = 4.0});
    sim.connect(parrots, det);
    sim.simulate(3.0);  // both spikes are on their way
    auto later = sim.create("parrot_neuron", 5);
    auto sg2 = sim.create("spike_generator", 1, {{"spike_times", dvec({4.0})}});
    sim.connect(sg2, later, Rule::all_to_all, {.delay = 1.0});
    sim.connect(later, det);
    sim.simulate(5.0);
    const auto s = sim.spikes(det[0]);
    std::vector<double> first, second;
    for (std::size_t i = 0; i < s.times.size(); ++i)
      (s.senders[i] < later[0] ? first : second).push_back(s.times[i]);
    CHECK_THAT(first, Equals(dvec({5.0, 5.0, 5.0, 5.5, 5.5, 5.5})));
    CHECK_THAT(second, Equals(dvec({5.0, 5.0, 5.0, 5.0, 5.0})));
  }
}
