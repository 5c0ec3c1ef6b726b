// tsodyks2_synapse (mc-sleep spec §2): NEST 2.20's update order, defaults and checks, through the
// public API with a weight_recorder.
#include <catch2/catch.hpp>

#include <cmath>

#include "nestling/simulator.hpp"

using namespace nestling;

namespace {
std::vector<double> dvec(std::initializer_list<double> v) { return v; }

// Weights a tsodyks2 copy with `params` logs for presynaptic spikes at `times` (ms), weight 1,
// from a spike_generator straight into a parrot_neuron.
WeightData recorded(const Dict& params, const std::vector<double>& times, double simulate_ms = 400.0) {
  Simulator sim;
  sim.set_kernel_status({{"resolution", 0.1}});
  auto sg = sim.create("spike_generator", 1, {{"spike_times", times}});
  auto post = sim.create("parrot_neuron");
  auto wr = sim.create("weight_recorder");
  Dict p = params;
  p.set("weight_recorder", static_cast<long>(wr[0]));
  sim.copy_model("tsodyks2_synapse", "ts_recorded", p);
  sim.connect(sg, post, Rule::all_to_all, {.model = "ts_recorded", .weight = 1.0});
  sim.simulate(simulate_ms);
  return sim.weights(wr[0]);
}

const std::vector<double> worked_example_times = {10.0, 20.0, 30.0, 40.0, 50.0, 300.0};
}  // namespace

TEST_CASE("tsodyks2_synapse: the spec's facilitating worked example (PC->MC parameters)", "[synapse][tsodyks2]") {
  const WeightData w = recorded({{"U", 0.1}, {"u", 0.1}, {"x", 1.0}, {"tau_rec", 20.0}, {"tau_fac", 600.0}},
                                worked_example_times);
  const auto expected = dvec({0.17707857, 0.22837843, 0.26022838, 0.28033485, 0.29423905, 0.36812355});
  REQUIRE(w.weights.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CHECK(std::fabs(w.weights[i] - expected[i]) < 5e-9);  // the spec's eight decimals
    CHECK(w.times[i] == Approx(worked_example_times[i]));  // logged at the presynaptic stamp
  }
}

TEST_CASE("tsodyks2_synapse: the spec's depressing worked example (thalamocortical parameters)", "[synapse][tsodyks2]") {
  const WeightData w = recorded({{"U", 0.5}, {"u", 0.5}, {"x", 1.0}, {"tau_rec", 200.0}, {"tau_fac", 0.0}},
                                worked_example_times);
  const auto expected = dvec({0.26219264, 0.14908797, 0.09529372, 0.06970838, 0.05753962, 0.36499029});
  REQUIRE(w.weights.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) CHECK(std::fabs(w.weights[i] - expected[i]) < 5e-9);
}

TEST_CASE("tsodyks2_synapse: the first spike sees a virtual spike at t = 0, whatever its own time", "[synapse][tsodyks2]") {
  // x then u: x1 = 1 - u0*exp(-t/tau_rec), u1 = U + u0*(1-U)*exp(-t/tau_fac); weight x1*u1*w.
  for (double t : {5.0, 50.0, 250.0}) {
    const WeightData w = recorded({{"U", 0.2}, {"u", 0.3}, {"tau_rec", 100.0}, {"tau_fac", 50.0}}, {t});
    const double x1 = 1.0 + (1.0 - 1.0 * 0.3 - 1.0) * std::exp(-t / 100.0);
    const double u1 = 0.2 + 0.3 * (1.0 - 0.2) * std::exp(-t / 50.0);
    REQUIRE(w.weights.size() == 1);
    CHECK(w.weights[0] == Approx(x1 * u1).epsilon(1e-14));
  }
}

TEST_CASE("tsodyks2_synapse: tau_fac below 1e-10 ms means no facilitation", "[synapse][tsodyks2]") {
  const auto none = recorded({{"U", 0.3}, {"u", 0.9}, {"tau_fac", 0.0}}, worked_example_times).weights;
  const auto tiny = recorded({{"U", 0.3}, {"u", 0.9}, {"tau_fac", 9e-11}}, worked_example_times).weights;
  const auto small = recorded({{"U", 0.3}, {"u", 0.9}, {"tau_fac", 1e-3}}, worked_example_times).weights;
  CHECK(none == tiny);
  // With facilitation switched off u is U from the first spike on: x1 = 1 - 0.9·e^(-10/800), u1 = 0.3.
  CHECK(none[0] == Approx((1.0 - 0.9 * std::exp(-10.0 / 800.0)) * 0.3).epsilon(1e-14));
  CHECK(small[0] == Approx(none[0]).epsilon(1e-12));  // exp(-10/1e-3) underflows to 0 as well
}

TEST_CASE("tsodyks2_synapse: defaults, checks and the _lbl/_hpc variants", "[synapse][tsodyks2]") {
  Simulator sim;
  const Dict d = sim.get_defaults("tsodyks2_synapse");
  CHECK(d.at("U").as_double() == 0.5);
  CHECK(d.at("u").as_double() == 0.5);
  CHECK(d.at("x").as_double() == 1.0);
  CHECK(d.at("tau_rec").as_double() == 800.0);
  CHECK(d.at("tau_fac").as_double() == 0.0);
  CHECK(d.at("weight").as_double() == 1.0);
  CHECK(d.at("delay").as_double() == 1.0);
  CHECK(sim.get_defaults("tsodyks2_synapse_lbl").contains("synapse_label"));
  CHECK(sim.get_defaults("tsodyks2_synapse_hpc").at("tau_rec").as_double() == 800.0);

  CHECK_THROWS_AS(sim.copy_model("tsodyks2_synapse", "bad_U", {{"U", 1.5}}), UserError);
  CHECK_THROWS_AS(sim.copy_model("tsodyks2_synapse", "bad_u", {{"u", -0.1}}), UserError);
  CHECK_THROWS_AS(sim.copy_model("tsodyks2_synapse", "bad_rec", {{"tau_rec", 0.0}}), UserError);
  CHECK_THROWS_AS(sim.copy_model("tsodyks2_synapse", "bad_fac", {{"tau_fac", -1.0}}), UserError);
  sim.copy_model("tsodyks2_synapse", "neg_x", {{"x", -0.5}});  // x is not checked, as in NEST
  // setting U leaves u alone (both are set separately in NEST)
  sim.copy_model("tsodyks2_synapse", "only_U", {{"U", 0.1}});
  CHECK(sim.get_defaults("only_U").at("u").as_double() == 0.5);
}

TEST_CASE("tsodyks2_synapse: u and x per connection; U, tau_rec, tau_fac through model copies", "[synapse][tsodyks2]") {
  Simulator sim;
  auto pre = sim.create("parrot_neuron", 2);
  auto post = sim.create("parrot_neuron");
  sim.connect(NodeCollection({pre[0]}), post, Rule::all_to_all, {.model = "tsodyks2_synapse", .state = {{"u", 0.2}}});
  sim.connect(NodeCollection({pre[1]}), post, Rule::all_to_all, {.model = "tsodyks2_synapse"});
  const auto conns = sim.get_connections(0, 0, "tsodyks2_synapse");
  REQUIRE(conns.size() == 2);
  CHECK(conns[0].state.at("u").as_double() == 0.2);
  CHECK(conns[1].state.at("u").as_double() == 0.5);
  CHECK(conns[1].state.at("x").as_double() == 1.0);
  CHECK_THROWS_AS(sim.connect(pre, post, Rule::all_to_all, {.model = "tsodyks2_synapse", .state = {{"u", 2.0}}}),
                  UserError);
  sim.set_synapse_status("tsodyks2_synapse", {{"x", 0.5}});
  CHECK(sim.get_connections(0, 0, "tsodyks2_synapse")[0].state.at("x").as_double() == 0.5);
  CHECK_THROWS_AS(sim.set_synapse_status("tsodyks2_synapse", {{"U", 0.2}}), UserError);
  CHECK_THROWS_AS(sim.set_defaults("tsodyks2_synapse", {{"tau_rec", 100.0}}), UserError);  // connections exist
  sim.set_defaults("tsodyks2_synapse", {{"u", 0.3}});  // a per-connection default may still change
  CHECK(sim.get_defaults("tsodyks2_synapse").at("u").as_double() == 0.3);
}

TEST_CASE("tsodyks2_synapse: on any receptor the target sees exactly the logged weights", "[synapse][tsodyks2]") {
  // An ht_neuron fed through tsodyks2 on NMDA follows the same trajectory as one fed through a
  // static synapse with the logged weights as spike weights.
  const std::vector<double> times = {10.0, 12.0, 14.0, 16.0, 30.0, 60.0};
  const Dict ts = {{"U", 0.4}, {"u", 0.4}, {"tau_rec", 100.0}, {"tau_fac", 30.0}};
  auto trace = [&](bool through_tsodyks, const std::vector<double>& weights) {
    Simulator sim;
    sim.set_kernel_status({{"resolution", 0.1}});
    auto nrn = sim.create("ht_neuron");
    auto wr = sim.create("weight_recorder");
    Dict sg_params = {{"spike_times", times}};
    if (!through_tsodyks) sg_params.set("spike_weights", weights);
    auto sg = sim.create("spike_generator", 1, sg_params);
    Dict p = ts;
    p.set("weight_recorder", static_cast<long>(wr[0]));
    sim.copy_model("tsodyks2_synapse", "ts", p);
    sim.connect(sg, nrn, Rule::all_to_all,
                {.model = through_tsodyks ? "ts" : "static_synapse", .weight = 1.0, .receptor_name = "NMDA"});
    auto mm = sim.create("multimeter", 1, {{"interval", 0.1}, {"record_from", List{Value("V_m"), Value("g_NMDA")}}});
    sim.connect(mm, nrn);
    sim.simulate(100.0);
    return std::make_pair(sim.samples(mm[0])["V_m"], sim.weights(wr[0]).weights);
  };
  const auto [v_tsodyks, factors] = trace(true, {});
  REQUIRE(factors.size() == times.size());
  CHECK(factors[1] < factors[0]);  // depressed: the test is not trivially passed
  const auto [v_static, none] = trace(false, factors);
  CHECK(none.empty());
  CHECK(v_tsodyks == v_static);
}

TEST_CASE("tsodyks2_synapse: connections of one source share a state until a newer one starts afresh",
          "[synapse][tsodyks2]") {
  // Three targets share the state of their source; a fourth, connected after the first spikes,
  // starts from the initial state (virtual spike at t = 0) while the three go on.
  const Dict ts = {{"U", 0.1}, {"u", 0.1}, {"x", 1.0}, {"tau_rec", 20.0}, {"tau_fac", 600.0}};
  Simulator sim;
  sim.set_kernel_status({{"resolution", 0.1}});
  auto sg = sim.create("spike_generator", 1, {{"spike_times", worked_example_times}});
  auto posts = sim.create("parrot_neuron", 4);
  auto wr = sim.create("weight_recorder");
  Dict p = ts;
  p.set("weight_recorder", static_cast<long>(wr[0]));
  sim.copy_model("tsodyks2_synapse", "ts", p);
  sim.connect(sg, NodeCollection({posts[0], posts[1], posts[2]}), Rule::all_to_all, {.model = "ts", .weight = 1.0});
  sim.simulate(25.0);  // spikes at 10 and 20 ms
  const auto mid = sim.get_connections(sg[0], 0, "ts");
  REQUIRE(mid.size() == 3);
  CHECK(mid[0].state.at("u").as_double() == mid[2].state.at("u").as_double());
  CHECK(mid[0].state.at("u").as_double() > 0.1);  // facilitated
  sim.connect(sg, NodeCollection({posts[3]}), Rule::all_to_all, {.model = "ts", .weight = 2.0});
  sim.simulate(375.0);

  const WeightData w = sim.weights(wr[0]);
  const auto expected = dvec({0.17707857, 0.22837843, 0.26022838, 0.28033485, 0.29423905, 0.36812355});
  std::vector<double> old_ones, new_one;
  for (std::size_t i = 0; i < w.weights.size(); ++i)
    (w.targets[i] == posts[3] ? new_one : old_ones).push_back(w.weights[i]);
  REQUIRE(old_ones.size() == 3 * expected.size());
  for (std::size_t i = 0; i < old_ones.size(); ++i) CHECK(std::fabs(old_ones[i] - expected[i / 3]) < 5e-9);
  // The newcomer's first spike (30 ms) sees the virtual spike at t = 0 with u = U, x = 1.
  REQUIRE(new_one.size() == 4);
  const double x1 = 1.0 + (1.0 - 0.1 - 1.0) * std::exp(-30.0 / 20.0);
  const double u1 = 0.1 + 0.1 * 0.9 * std::exp(-30.0 / 600.0);
  CHECK(new_one[0] == Approx(2.0 * x1 * u1).epsilon(1e-14));
  const auto all = sim.get_connections(sg[0], 0, "ts");
  REQUIRE(all.size() == 4);
  CHECK(all[3].state.at("u").as_double() != all[0].state.at("u").as_double());
}
