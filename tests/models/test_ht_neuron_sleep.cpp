// The sleep model's neuron in both variants (spec mc-sleep §1), with exact values.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>

#include "engine/kernel.hpp"
#include "models/ht_neuron_sleep.hpp"
#include "nestling/simulator.hpp"
#include "tests/models/model_test_support.hpp"

using namespace nestling;
using Catch::Matchers::Contains;
using nestling::testing::error_of;

namespace {

const std::string np = "ht_neuron_minis_GABA_B1a_soft_gap_noprelimspike";
const std::string mg = "ht_neuron_minis_GABA_B1a_soft_gap_noprelimspike_mGluR";
const Dict passive{{"g_peak_NaP", 0.0}, {"g_peak_KNa", 0.0}, {"g_peak_T", 0.0},
                   {"g_peak_h", 0.0},   {"theta_eq", 100.0}, {"theta", 100.0}};

std::vector<double> times(std::initializer_list<double> t) {
  return t;
}

struct Input {
  long port;
  double weight;
  std::vector<double> spike_times;
};

// One neuron of `model` with `params` and spike inputs (delay 1 ms), sampled every 0.1 ms step.
SampleData trace(const std::string& model, const Dict& params, const std::vector<Input>& inputs, double ms,
                 const List& what) {
  return testing::record_one_neuron(model, params, ms, what, [&](Simulator& sim, const NodeCollection& nrn) {
    for (const Input& in : inputs) {
      auto sg = sim.create("spike_generator", 1, {{"spike_times", in.spike_times}});
      sim.connect(sg, nrn, Rule::all_to_all, {.weight = in.weight, .delay = 1.0, .receptor = in.port});
    }
  });
}

}  // namespace

TEST_CASE("sleep neuron: defaults of both variants (mc-sleep 1.2, 1.3)", "[ht_neuron_sleep]") {
  Simulator sim;
  for (const std::string& model : {np, mg}) {
    INFO(model);
    const Dict d = sim.get_defaults(model);
    CHECK(d.at("g_peak_NaP").as_double() == 0.5);
    CHECK(d.at("g_peak_KNa").as_double() == 0.5);
    CHECK(d.at("g_peak_AMPA").as_double() == 0.1);  // everything else as ht_neuron
    CHECK(d.at("tau_D_KNa").as_double() == 1250.0);
    CHECK(d.at("g_peak_GABA_B1a").as_double() == 0.0);
    CHECK(d.at("tau_rise_GABA_B1a").as_double() == 60.0);
    CHECK(d.at("tau_decay_GABA_B1a").as_double() == 200.0);
    CHECK(d.at("g_max_GABA_B1a").as_double() == 1.0);
    CHECK(d.at("xmax_GABA_B1a").as_double() == 1.0);
    CHECK(d.at("mini_mean").as_double() == 0.5);
    CHECK(d.at("mini_sigma").as_double() == 0.25);
    CHECK(d.at("g_gap_scale_factor").as_double() == 1.0);
    CHECK(d.at("V_m").as_double() == -70.0);
    CHECK(d.at("theta").as_double() == -51.0);
    CHECK_FALSE(d.contains("N_NaP"));  // NEST 3 parameters the module does not have
    CHECK_FALSE(d.contains("N_T"));
    CHECK(d.at("alpha_GABA_B1a").as_double_vector() == std::vector<double>(model == np ? 5 : 6, 1.0));
  }
  const Dict d = sim.get_defaults(mg);
  CHECK(d.at("g_peak_mGluR").as_double() == 0.0132);
  CHECK(d.at("tau_rise_mGluR").as_double() == 60.0);
  CHECK(d.at("tau_decay_mGluR").as_double() == 200.0);
  CHECK(d.at("E_rev_mGluR").as_double() == -90.0);
  CHECK_FALSE(sim.get_defaults(np).contains("g_peak_mGluR"));
}

TEST_CASE("sleep neuron: receptors by name and number, recordables (mc-sleep 1.1, 1.10)", "[ht_neuron_sleep]") {
  Simulator sim;
  CHECK(sim.get_defaults(np).at("receptor_types").as_dict() ==
        Dict{{"AMPA", 1}, {"NMDA", 2}, {"GABA_A", 3}, {"GABA_B", 4}, {"GABA_B1a", 5}, {"MINI", 6}});
  CHECK(sim.get_defaults(mg).at("receptor_types").as_dict() ==
        Dict{{"AMPA", 1}, {"NMDA", 2}, {"GABA_A", 3}, {"GABA_B", 4}, {"mGluR", 5}, {"GABA_B1a", 6}, {"MINI", 7}});
  auto a = sim.create(np);
  auto b = sim.create(mg);
  CHECK(sim.get_status(a[0]).at("recordables").as_string_vector() ==
        std::vector<std::string>{"V_m", "theta", "g_AMPA", "g_NMDA", "g_GABA_A", "g_GABA_B", "g_GABA_B1a", "x_GABA_B1a",
                                 "I_NaP", "I_KNa", "I_T", "I_h", "I_gap"});
  CHECK(sim.get_status(b[0]).at("recordables").as_string_vector() ==
        std::vector<std::string>{"V_m", "theta", "g_AMPA", "g_NMDA", "g_GABA_A", "g_GABA_B", "g_mGluR", "g_GABA_B1a",
                                 "x_GABA_B1a", "I_NaP", "I_KNa", "I_T", "I_h", "I_gap"});
  auto sg = sim.create("spike_generator");
  auto dc = sim.create("dc_generator");
  for (long r = 1; r <= 6; ++r) CHECK_NOTHROW(sim.connect(sg, a, Rule::all_to_all, {.receptor = r}));
  for (long r = 1; r <= 7; ++r) CHECK_NOTHROW(sim.connect(sg, b, Rule::all_to_all, {.receptor = r}));
  CHECK_THAT(error_of([&] { sim.connect(sg, a, Rule::all_to_all, {.receptor = 7}); }),
             Contains("5 (GABA_B1a) and 6 (MINI), not on receptor 7"));
  CHECK_THROWS_AS(sim.connect(sg, b, Rule::all_to_all, {.receptor = 8}), UserError);
  CHECK_THROWS_AS(sim.connect(sg, a), UserError);  // spikes never on port 0
  CHECK_THROWS_AS(sim.connect(dc, a, Rule::all_to_all, {.receptor = 1}), UserError);
  CHECK_NOTHROW(sim.connect(dc, b));
}

TEST_CASE("sleep neuron: parameter checks, transactional (mc-sleep 1.3)", "[ht_neuron_sleep]") {
  Simulator sim;
  auto a = sim.create(np);
  auto b = sim.create(mg);
  const std::string length = error_of([&] { sim.set_status(a[0], {{"alpha_GABA_B1a", times({1, 1, 0, 0, 0, 1})}}); });
  CHECK_THAT(length, Contains(np + "/alpha_GABA_B1a") && Contains("5 values") &&
                         Contains("AMPA, NMDA, GABA_A, GABA_B, GABA_B1a") && Contains("got 6"));
  CHECK_THAT(error_of([&] {
               sim.set_status(b[0], {{"alpha_GABA_B1a", times({1, 1, 0, 0, 0})}});
             }),
             Contains("6 values") && Contains("mGluR"));
  CHECK_THAT(error_of([&] {
               sim.set_status(a[0], {{"alpha_GABA_B1a", times({1, 1.5, 0, 0, 0})}});
             }),
             Contains("[0, 1]") && Contains("1.5"));
  CHECK_THROWS_AS(sim.set_status(a[0], {{"alpha_GABA_B1a", times({1, -0.1, 0, 0, 0})}}), UserError);
  for (const char* key : {"g_max_GABA_B1a", "g_peak_GABA_B1a", "g_gap_scale_factor"}) {
    INFO(key);
    CHECK_THAT(error_of([&] { sim.set_status(a[0], {{key, -0.01}}); }), Contains(key) && Contains(">= 0"));
  }
  CHECK_THROWS_AS(sim.set_status(a[0], {{"xmax_GABA_B1a", 1.01}}), UserError);
  CHECK_THROWS_AS(sim.set_status(a[0], {{"xmax_GABA_B1a", -0.01}}), UserError);
  CHECK_THROWS_AS(sim.set_status(a[0], {{"tau_rise_GABA_B1a", 0.0}}), UserError);
  CHECK_THROWS_AS(sim.set_status(a[0], {{"tau_rise_AMPA", 3.0}}), UserError);  // stock relations stay
  CHECK_THAT(error_of([&] { sim.set_status(a[0], {{"N_NaP", 3.0}}); }), Contains("N_NaP"));
  // Not checked, as in NEST: GABA_B1a's rise >= decay, mGluR's sign and time constants.
  CHECK_NOTHROW(sim.set_status(a[0], {{"tau_rise_GABA_B1a", 300.0}}));
  CHECK_NOTHROW(sim.set_status(b[0], {{"g_peak_mGluR", -0.005}, {"tau_rise_mGluR", 500.0}}));
  CHECK_NOTHROW(sim.set_status(a[0], {{"mini_mean", -1.0}, {"mini_sigma", -0.5}}));

  // A bad entry leaves every other entry of the call undone.
  CHECK_THROWS_AS(sim.set_status(a[0], {{"g_KL", 2.0}, {"alpha_GABA_B1a", times({1, 1, 0, 0})}}), UserError);
  CHECK(sim.get_status(a[0]).at("g_KL").as_double() == 1.0);
  sim.set_status(a[0], {{"alpha_GABA_B1a", times({1, 1, 0, 0, 0.25})}, {"g_max_GABA_B1a", 0.8}});
  CHECK(sim.get_status(a[0]).at("alpha_GABA_B1a").as_double_vector() == std::vector<double>{1, 1, 0, 0, 0.25});
  CHECK(sim.get_status(a[0]).at("g_max_GABA_B1a").as_double() == 0.8);
}

TEST_CASE("sleep neuron: GABA_B1a is a beta channel, 1.39608e-3 per unit weight (mc-sleep 1.6)", "[ht_neuron_sleep]") {
  HtSleepNeuron::Prototype p;
  p.g_peak_GABA_B1a = 0.05;
  const auto c = HtConstants<ht::SleepNP>::from(p, -70.0, 20, 0.1);
  CHECK(c.cond_step[HtSleepNeuron::Index::gaba_b1a] == Approx(1.39608e-3).epsilon(5e-6));
  // Weight 2 arriving at 2 ms: g_GABA_B1a peaks at 2 x 0.05, 103.198 ms later; V is untouched.
  auto s = trace(np, {{"g_peak_GABA_B1a", 0.05}}, {{5, 2.0, times({1.0})}}, 150.0, List{"g_GABA_B1a", "V_m"});
  auto quiet = trace(np, {{"g_peak_GABA_B1a", 0.05}}, {}, 150.0, List{"g_GABA_B1a", "V_m"});
  const auto& g = s["g_GABA_B1a"];
  const auto peak = std::max_element(g.begin(), g.end());
  CHECK(*peak == Approx(0.1).epsilon(1e-5));
  CHECK(std::fabs(s.times[static_cast<std::size_t>(peak - g.begin())] - (2.0 + 103.198)) <= 0.05 + 1e-9);
  CHECK(s["V_m"] == quiet["V_m"]);
}

TEST_CASE("sleep neuron: x scales arriving weights, capped g, soft bound (mc-sleep 1.6)", "[ht_neuron_sleep]") {
  // A strong GABA_B1a spike at 1 ms drives G far above g_max = 0.5 for tens of ms: g is the cap.
  const Dict base{{"g_peak_GABA_B1a", 1.0}, {"g_max_GABA_B1a", 0.5}};
  const Input b1a{5, 10.0, times({1.0})};
  const List what{"g_AMPA", "g_GABA_A", "g_GABA_B1a", "x_GABA_B1a", "V_m"};
  Dict halve = base, keep = base, block = base;
  halve.set("alpha_GABA_B1a", times({1, 1, 0, 0, 0}));  // x_AMPA = x_NMDA = 1 - 0.5 = 0.5
  keep.set("alpha_GABA_B1a", times({0, 1, 0, 0, 0}));   // x_AMPA = 1
  block.set("g_max_GABA_B1a", 1.0);                     // alpha 1 everywhere, g = 1: x = 0
  const auto halved = trace(np, halve, {b1a, {1, 2.0, times({60.0})}, {3, 1.0, times({60.0})}}, 100.0, what);
  const auto kept = trace(np, keep, {b1a, {1, 1.0, times({60.0})}, {3, 1.0, times({60.0})}}, 100.0, what);
  const auto blocked = trace(np, block, {b1a, {1, 2.0, times({60.0})}, {3, 1.0, times({60.0})}}, 100.0, what);
  const auto bare = trace(np, block, {b1a}, 100.0, what);
  const std::size_t arrival = 609;  // sample at 61.0 ms
  REQUIRE(halved["g_GABA_B1a"][arrival] == 0.5);
  CHECK(halved["x_GABA_B1a"][arrival] == 0.5);
  CHECK(blocked["g_GABA_B1a"][arrival] == 1.0);
  CHECK(blocked["x_GABA_B1a"][arrival] == 0.0);
  // Weight 2 at x = 0.5 is weight 1 at x = 1, to the bit; at x = 0 AMPA input is lost.
  CHECK(halved["g_AMPA"] == kept["g_AMPA"]);
  CHECK(halved["V_m"] == kept["V_m"]);
  CHECK(*std::max_element(halved["g_AMPA"].begin(), halved["g_AMPA"].end()) > 0.09);
  CHECK(*std::max_element(blocked["g_AMPA"].begin(), blocked["g_AMPA"].end()) == 0.0);
  // GABA_A (alpha 0 in halve and keep) is not scaled: alpha 1 would remove it.
  CHECK(halved["g_GABA_A"] == kept["g_GABA_A"]);
  CHECK(*std::max_element(blocked["g_GABA_A"].begin(), blocked["g_GABA_A"].end()) == 0.0);
  CHECK(blocked["g_GABA_B1a"] == bare["g_GABA_B1a"]);
  // x follows its formula at every sample, with g capped at g_max.
  for (std::size_t k = 0; k < halved.times.size(); ++k) {
    const double g = halved["g_GABA_B1a"][k];
    CHECK(g <= 0.5);
    CHECK(halved["x_GABA_B1a"][k] == std::max(0.0, std::min(1.0, 1.0 - g)));
  }
  // Soft bound: once G is at the cap, further GABA_B1a input adds nothing, though its own x is 1.
  Dict soft = block;
  soft.set("alpha_GABA_B1a", times({1, 1, 1, 1, 0}));
  const auto again = trace(np, soft, {b1a, {5, 10.0, times({30.0})}}, 100.0, what);
  const auto once = trace(np, soft, {b1a}, 100.0, what);
  CHECK(again["g_GABA_B1a"] == once["g_GABA_B1a"]);
  const auto early = trace(np, soft, {b1a, {5, 10.0, times({1.5})}}, 100.0, what);  // G still below the cap
  CHECK(early["g_GABA_B1a"] != once["g_GABA_B1a"]);
}

TEST_CASE("sleep neuron: at most one mini per step, never scaled, sigma 0 exact (mc-sleep 1.8)", "[ht_neuron_sleep]") {
  Dict params = passive;
  params.set("mini_mean", 2.0);
  params.set("mini_sigma", 0.0);
  params.set("g_peak_GABA_B1a", 1.0);  // x = 0 for every receptor from 2 ms on: minis still act
  const List what{"V_m"};
  const auto one = trace(np, params, {{5, 10.0, times({1.0})}, {6, 1.0, times({20.0})}}, 40.0, what);
  const auto heavy = trace(np, params, {{5, 10.0, times({1.0})}, {6, 3.0, times({20.0})}}, 40.0, what);
  const auto pair =
      trace(np, params, {{5, 10.0, times({1.0})}, {6, 1.0, times({20.0})}, {6, 1.0, times({20.0})}}, 40.0, what);
  const auto small = trace(np, params, {{5, 10.0, times({1.0})}, {6, 0.4, times({20.0})}}, 40.0, what);
  const auto negative = trace(np, params, {{5, 10.0, times({1.0})}, {6, -1.0, times({20.0})}}, 40.0, what);
  const auto none = trace(np, params, {{5, 10.0, times({1.0})}}, 40.0, what);
  CHECK(heavy["V_m"] == one["V_m"]);
  CHECK(pair["V_m"] == one["V_m"]);
  CHECK(small["V_m"] == one["V_m"]);
  CHECK(negative["V_m"] == none["V_m"]);
  // The mini lands at the end of the step to 21.0 ms, before that sample is taken.
  const std::size_t before = 208, landed = 209;  // samples at 20.9 and 21.0 ms
  CHECK(one["V_m"][before] == none["V_m"][before]);
  CHECK(one["V_m"][landed] - none["V_m"][landed] == Approx(2.0).margin(1e-12));
}

TEST_CASE("sleep neuron: minis come from the neuron's own stream, whatever the thread count", "[ht_neuron_sleep]") {
  auto run = [](int threads) {
    Simulator sim;
    sim.set_kernel_status({{"resolution", 0.2}, {"local_num_threads", threads}, {"rng_seed", 5}});
    auto pg = sim.create("poisson_generator", 1, {{"rate", 800.0}});
    auto parrots = sim.create("parrot_neuron", 3);
    auto nrn = sim.create(np, 5, passive);
    auto quiet = sim.create(np, 2, passive);  // no MINI input: no minis, no stream
    sim.connect(pg, parrots);
    std::vector<NodeId> src, tgt;
    for (std::size_t k = 0; k < nrn.size(); ++k) {
      src.push_back(parrots[k % parrots.size()]);
      tgt.push_back(nrn[k]);
    }
    sim.connect(src, tgt, std::vector<double>(src.size(), 1.0), std::vector<double>(src.size(), 0.2), {.receptor = 6});
    auto mm = sim.create("multimeter", 1, {{"interval", 0.2}, {"record_from", List{"V_m"}}});
    sim.connect(mm, nrn);
    sim.connect(mm, quiet);
    sim.simulate(200.0);
    auto s = sim.samples(mm[0]);
    std::vector<std::tuple<NodeId, double, double>> rows;
    for (std::size_t k = 0; k < s.times.size(); ++k) rows.emplace_back(s.senders[k], s.times[k], s["V_m"][k]);
    std::sort(rows.begin(), rows.end());
    return rows;
  };
  const auto one = run(1);
  // Two neurons on the same parrot get the same inputs but different minis.
  std::vector<double> v_first, v_fourth;
  for (const auto& [sender, t, v] : one) {
    if (sender == 5) v_first.push_back(v);  // nrn[0] and nrn[3] listen to the same parrot
    if (sender == 8) v_fourth.push_back(v);
  }
  REQUIRE(v_first.size() == v_fourth.size());
  CHECK(v_first != v_fourth);
  CHECK(run(2) == one);
  CHECK(run(3) == one);
}

TEST_CASE("sleep neuron: the gap current uses the partner's V_m at the end of the previous slice (mc-sleep 1.7)",
          "[ht_neuron_sleep]") {
  Simulator sim;
  sim.set_kernel_status({{"resolution", 0.2}});  // gap junctions alone: min_delay = wfr_comm_interval, 5 steps
  auto pair = sim.create(np, 2);
  sim.set_status(pair[0], {{"V_m", -60.0}});
  sim.set_status(pair[1], {{"g_gap_scale_factor", 2.0}});
  sim.connect(NodeCollection(std::vector<NodeId>{pair[0]}), NodeCollection(std::vector<NodeId>{pair[1]}),
              ConnSpec{Rule::one_to_one, true}, {.model = "gap_junction", .weight = 0.5});
  auto mm = sim.create("multimeter", 1, {{"interval", 0.2}, {"record_from", List{"V_m", "I_gap"}}});
  sim.connect(mm, pair);
  sim.simulate(5.0);
  const auto s = sim.samples(mm[0]);
  std::vector<double> v1, v2, i2;  // per step, stamps 1, 2, ...
  for (std::size_t k = 0; k < s.times.size(); ++k) (s.senders[k] == pair[0] ? v1 : v2).push_back(s["V_m"][k]);
  for (std::size_t k = 0; k < s.times.size(); ++k)
    if (s.senders[k] == pair[1]) i2.push_back(s["I_gap"][k]);
  REQUIRE(i2.size() >= 20);
  for (std::size_t step = 0; step < 5; ++step) CHECK(i2[step] == 0.0);  // no partner value before the first slice end
  for (std::size_t step = 5; step < i2.size(); ++step) {
    const double partner = v1[step / 5 * 5 - 1];  // V_m of neuron 1 when the previous slice ended
    INFO("step " << step + 1);
    CHECK(i2[step] == Approx(2.0 * 0.5 * (partner - v2[step])).epsilon(1e-12));
  }
  CHECK(i2[5] > 5.0);  // depolarising: neuron 1 started 10 mV higher
}
