// ht_neuron (NEST 2.20, spec §1 and §8) and the GSL-style RKF45 integrator, with exact values.
#include <algorithm>
#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <random>
#include <tuple>

#include "engine/ode/gsl_style_rkf45.hpp"
#include "engine/ode/packed_exp.hpp"
#include "models/ht_neuron.hpp"
#include "models/ht_neuron_lanes.hpp"
#include "nestling/simulator.hpp"
#include "tests/models/model_test_support.hpp"

using namespace nestling;
using Catch::Matchers::Contains;
using nestling::testing::error_of;

namespace {

std::vector<double> dvec(std::initializer_list<double> v) {
  return v;
}

const Dict no_intrinsic_currents{{"g_peak_NaP", 0.0}, {"g_peak_KNa", 0.0}, {"g_peak_T", 0.0}, {"g_peak_h", 0.0}};

// Runs one ht_neuron (with `params`) fed by `wire`, recording `what` every step.
template <class Wire>
SampleData trace(const Dict& params, double ms, const List& what, Wire wire, double resolution = 0.1) {
  return testing::record_one_neuron("ht_neuron", params, ms, what, wire, resolution);
}

}  // namespace

TEST_CASE("ht_neuron: defaults, receptors and recordables (spec 1.1, 1.2, 1.10)", "[ht_neuron]") {
  Simulator sim;
  const Dict d = sim.get_defaults("ht_neuron");
  const std::vector<std::pair<const char*, double>> expected = {{"E_Na", 30.0},
                                                                {"E_K", -90.0},
                                                                {"g_NaL", 0.2},
                                                                {"g_KL", 1.0},
                                                                {"tau_m", 16.0},
                                                                {"theta_eq", -51.0},
                                                                {"tau_theta", 2.0},
                                                                {"tau_spike", 1.75},
                                                                {"t_ref", 2.0},
                                                                {"g_peak_AMPA", 0.1},
                                                                {"tau_rise_AMPA", 0.5},
                                                                {"tau_decay_AMPA", 2.4},
                                                                {"E_rev_AMPA", 0.0},
                                                                {"g_peak_NMDA", 0.075},
                                                                {"tau_rise_NMDA", 4.0},
                                                                {"tau_decay_NMDA", 40.0},
                                                                {"E_rev_NMDA", 0.0},
                                                                {"V_act_NMDA", -25.57},
                                                                {"S_act_NMDA", 0.081},
                                                                {"tau_Mg_slow_NMDA", 22.7},
                                                                {"tau_Mg_fast_NMDA", 0.68},
                                                                {"g_peak_GABA_A", 0.33},
                                                                {"tau_rise_GABA_A", 1.0},
                                                                {"tau_decay_GABA_A", 7.0},
                                                                {"E_rev_GABA_A", -70.0},
                                                                {"g_peak_GABA_B", 0.0132},
                                                                {"tau_rise_GABA_B", 60.0},
                                                                {"tau_decay_GABA_B", 200.0},
                                                                {"E_rev_GABA_B", -90.0},
                                                                {"g_peak_NaP", 1.0},
                                                                {"E_rev_NaP", 30.0},
                                                                {"N_NaP", 3.0},
                                                                {"g_peak_KNa", 1.0},
                                                                {"E_rev_KNa", -90.0},
                                                                {"tau_D_KNa", 1250.0},
                                                                {"g_peak_T", 1.0},
                                                                {"E_rev_T", 0.0},
                                                                {"N_T", 2.0},
                                                                {"g_peak_h", 1.0},
                                                                {"E_rev_h", -40.0},
                                                                {"V_m", -70.0},
                                                                {"theta", -51.0},
                                                                {"t_spike", -1.0}};
  for (const auto& [name, value] : expected) {
    INFO(name);
    REQUIRE(d.contains(name));
    CHECK(d.at(name).as_double() == value);
  }
  CHECK(d.at("instant_unblock_NMDA").as_bool() == false);
  CHECK(d.at("voltage_clamp").as_bool() == false);
  CHECK_FALSE(d.contains("equilibrate"));  // a write-only action flag
  const Dict receptors = d.at("receptor_types").as_dict();
  CHECK(receptors == Dict{{"AMPA", 1}, {"NMDA", 2}, {"GABA_A", 3}, {"GABA_B", 4}});
  CHECK(d.at("recordables").as_string_vector() == std::vector<std::string>{"V_m", "theta", "g_AMPA", "g_NMDA",
                                                                           "g_GABA_A", "g_GABA_B", "I_NaP", "I_KNa",
                                                                           "I_T", "I_h"});
  auto nrn = sim.create("ht_neuron");
  CHECK(sim.get_status(nrn[0]).at("receptor_types").as_dict() == receptors);
}

TEST_CASE("ht_neuron: the initial gating variables are at equilibrium at V_eq = -70 mV (spec 1.1)", "[ht_neuron]") {
  const HtNeuron::Prototype p;
  CHECK(p.y[HtNeuron::Index::V_M] == -70.0);
  // The spec's values are rounded to the digits shown: they match to half a unit of the last one.
  CHECK(p.y[HtNeuron::Index::M_FAST_NMDA] == Approx(0.026627).margin(5e-7));
  CHECK(p.y[HtNeuron::Index::M_SLOW_NMDA] == Approx(0.026627).margin(5e-7));
  CHECK(p.y[HtNeuron::Index::M_IH] == Approx(0.287186).margin(5e-7));
  CHECK(p.y[HtNeuron::Index::D_IKNA] == Approx(0.0011920).margin(5e-8));
  CHECK(p.y[HtNeuron::Index::M_IT] == Approx(0.145022).margin(5e-7));
  CHECK(p.y[HtNeuron::Index::H_IT] == Approx(0.0373269).margin(5e-8));
  for (int i = HtNeuron::Index::dg(0); i <= HtNeuron::Index::g(3); ++i) CHECK(p.y[i] == 0.0);
}

TEST_CASE("ht_neuron: parameter validation names model and parameter, and is transactional", "[ht_neuron]") {
  Simulator sim;
  auto nrn = sim.create("ht_neuron");
  const std::string rise = error_of([&] { sim.set_status(nrn[0], {{"tau_rise_AMPA", 2.4}}); });
  CHECK_THAT(rise, Contains("ht_neuron") && Contains("tau_rise_AMPA") && Contains("tau_decay_AMPA"));
  CHECK_THAT(error_of([&] { sim.set_status(nrn[0], {{"tau_Mg_fast_NMDA", 30.0}}); }), Contains("tau_Mg_fast_NMDA"));
  const std::string negative = error_of([&] { sim.set_status(nrn[0], {{"g_peak_NMDA", -0.1}}); });
  CHECK_THAT(negative, Contains("ht_neuron/g_peak_NMDA") && Contains(">= 0"));
  CHECK_THAT(error_of([&] { sim.set_status(nrn[0], {{"tau_m", 0.0}}); }), Contains("tau_m") && Contains("> 0"));
  CHECK_THAT(error_of([&] { sim.set_status(nrn[0], {{"t_ref", -1.0}}); }), Contains("t_ref"));
  const std::string unknown = error_of([&] { sim.set_status(nrn[0], {{"g_peak_AMPAX", 1.0}}); });
  CHECK_THAT(unknown, Contains("g_peak_AMPAX") && Contains("valid names") && Contains("g_peak_AMPA, ") &&
                          Contains("equilibrate") && Contains("V_m"));
  CHECK_THAT(error_of([&] { sim.set_status(nrn[0], {{"t_spike", 3.0}}); }), Contains("read-only"));

  // Nothing changes when any entry is bad.
  CHECK_THROWS_AS(sim.set_status(nrn[0], {{"g_KL", 2.0}, {"V_m", -60.0}, {"tau_rise_NMDA", 50.0}}), UserError);
  CHECK(sim.get_status(nrn[0]).at("g_KL").as_double() == 1.0);
  CHECK(sim.get_status(nrn[0]).at("V_m").as_double() == -70.0);
  CHECK_THROWS_AS(sim.set_defaults("ht_neuron", {{"g_NaL", 0.5}, {"tau_rise_GABA_B", 300.0}}), UserError);
  CHECK(sim.get_defaults("ht_neuron").at("g_NaL").as_double() == 0.2);
  // Raising tau_decay and tau_rise together is fine.
  sim.set_status(nrn[0], {{"tau_rise_AMPA", 3.0}, {"tau_decay_AMPA", 5.0}});
  CHECK(sim.get_status(nrn[0]).at("tau_rise_AMPA").as_double() == 3.0);
}

TEST_CASE("ht_neuron: V_m and theta are state, settable on nodes and in model defaults", "[ht_neuron]") {
  Simulator sim;
  sim.copy_model("ht_neuron", "l1_exc", {{"g_KL", 1.0}, {"g_NaL", 1.0}, {"V_m", -44.0}});
  CHECK(sim.get_defaults("l1_exc").at("V_m").as_double() == -44.0);
  auto nrn = sim.create("l1_exc", 2);
  CHECK(sim.get_status(nrn[0]).at("V_m").as_double() == -44.0);
  sim.set_status(nrn[1], {{"V_m", -55.0}, {"theta", -45.0}});
  CHECK(sim.get_status(nrn[1]).at("V_m").as_double() == -55.0);
  CHECK(sim.get_status(nrn[1]).at("theta").as_double() == -45.0);
  CHECK(sim.get_status(nrn[0]).at("theta").as_double() == -51.0);
}

TEST_CASE("ht_neuron: equilibrate uses V_m of the same call and the parameters before it (spec 1.3)", "[ht_neuron]") {
  HtNeuron::Prototype p;
  const HtParameters before = p;
  HtNeuron::apply(p, {{"V_m", -60.0}, {"tau_D_KNa", 100.0}, {"equilibrate", true}}, "ht_neuron");
  CHECK(p.y[HtNeuron::Index::V_M] == -60.0);
  CHECK(p.tau_D_KNa == 100.0);
  CHECK(p.y[HtNeuron::Index::D_IKNA] == before.D_eq_KNa(-60.0));  // tau_D_KNa = 1250, not 100
  CHECK(p.y[HtNeuron::Index::D_IKNA] != p.D_eq_KNa(-60.0));
  CHECK(p.y[HtNeuron::Index::M_IH] == HtParameters::m_eq_h(-60.0));
  CHECK(p.y[HtNeuron::Index::M_IT] == HtParameters::m_eq_T(-60.0));
  CHECK(p.y[HtNeuron::Index::H_IT] == HtParameters::h_eq_T(-60.0));
  CHECK(p.y[HtNeuron::Index::M_FAST_NMDA] == before.m_eq_NMDA(-60.0));
  CHECK(p.y[HtNeuron::Index::M_SLOW_NMDA] == before.m_eq_NMDA(-60.0));
  // Without the flag the gates stay where they were.
  HtNeuron::apply(p, {{"V_m", -80.0}}, "ht_neuron");
  CHECK(p.y[HtNeuron::Index::M_IH] == HtParameters::m_eq_h(-60.0));
}

TEST_CASE("ht_neuron: beta normalisation factors c*g_peak of spec 1.6", "[ht_neuron]") {
  const auto c = HtConstants<ht::Stock>::from(HtParameters{}, -70.0, 20, 0.1);
  CHECK(c.cond_step[0] == Approx(0.302207).epsilon(2e-6));
  CHECK(c.cond_step[1] == Approx(0.0242166).epsilon(2e-6));
  CHECK(c.cond_step[2] == Approx(0.456419).epsilon(2e-6));
  CHECK(c.cond_step[3] == Approx(3.68565e-4).epsilon(2e-6));
}

TEST_CASE("ht_neuron: a spike of weight w makes g peak at w*g_peak, t_peak after arrival (spec 1.6)", "[ht_neuron]") {
  // t_peak: AMPA 0.9907, NMDA 10.2337, GABA_A 2.2702, GABA_B 103.198 ms. Arrival at 2 ms.
  const std::vector<std::tuple<long, const char*, double, double>> receptors = {
      {1, "g_AMPA", 0.1, 0.9907}, {3, "g_GABA_A", 0.33, 2.2702}, {4, "g_GABA_B", 0.0132, 103.198}};
  for (const auto& [port, name, g_peak, t_peak] : receptors) {
    INFO(name);
    const double w = 2.0;
    auto s = trace(
        {}, 120.0, List{name},
        [&, port = port](Simulator& sim, const NodeCollection& nrn) {
          auto sg = sim.create("spike_generator", 1, {{"spike_times", dvec({1.0})}});
          sim.connect(sg, nrn, Rule::all_to_all, {.weight = w, .delay = 1.0, .receptor = port});
        },
        0.01);
    const auto& g = s[name];
    const auto peak = std::max_element(g.begin(), g.end());
    const double t_max = s.times[static_cast<std::size_t>(peak - g.begin())];
    CHECK(*peak == Approx(w * g_peak).epsilon(1e-4));
    CHECK(std::fabs(t_max - (2.0 + t_peak)) <= 0.005 + 1e-9);
    CHECK(g[static_cast<std::size_t>(std::lround(2.0 / 0.01)) - 1] == 0.0);  // nothing before arrival at 2.0
  }
}

TEST_CASE("ht_neuron: NMDA conductance includes the Mg unblock", "[ht_neuron]") {
  auto s = trace({{"instant_unblock_NMDA", true}}, 20.0, List{"g_NMDA", "V_m"},
                 [](Simulator& sim, const NodeCollection& nrn) {
                   auto sg = sim.create("spike_generator", 1, {{"spike_times", dvec({1.0})}});
                   sim.connect(sg, nrn, Rule::all_to_all, {.weight = 1.0, .receptor = 2});
                 });
  // Near -70 mV the unblock m_eq_NMDA is below 5 %, so g_NMDA stays far below g_peak = 0.075.
  const double g_max = *std::max_element(s["g_NMDA"].begin(), s["g_NMDA"].end());
  CHECK(g_max > 0.0);
  CHECK(g_max < 0.075 * 0.05);
}

TEST_CASE("ht_neuron: with t_ref = 1.7 and h = 0.1 the ISI is t_ref + h (pynest test_refractory)", "[ht_neuron]") {
  Simulator sim;
  auto nrn = sim.create("ht_neuron", 1, {{"t_ref", 1.7}});
  auto dc = sim.create("dc_generator", 1, {{"amplitude", 2000.0}});
  auto det = sim.create("spike_detector");
  sim.connect(dc, nrn);
  sim.connect(nrn, det);
  sim.simulate(50.0);
  const auto t = sim.spikes(det[0]).times;
  REQUIRE(t.size() > 5);
  for (std::size_t k = 1; k < t.size(); ++k) CHECK(std::llround((t[k] - t[k - 1]) / 0.1) == 18);
  CHECK(sim.get_status(nrn[0]).at("t_spike").as_double() == t.back());
}

TEST_CASE("ht_neuron: a dc_generator starting at 1 ms with delay 1 ms acts from 2 ms on", "[ht_neuron]") {
  auto run = [](double amplitude) {
    return trace(no_intrinsic_currents, 5.0, List{"V_m"}, [amplitude](Simulator& sim, const NodeCollection& nrn) {
      auto dc = sim.create("dc_generator", 1, {{"amplitude", amplitude}, {"start", 1.0}});
      sim.connect(dc, nrn, Rule::all_to_all, {.delay = 1.0});
    });
  };
  const auto quiet = run(0.0), driven = run(10.0);
  REQUIRE(quiet.times.size() == driven.times.size());
  for (std::size_t k = 0; k < quiet.times.size(); ++k) {
    INFO("t = " << quiet.times[k]);
    if (quiet.times[k] <= 2.0 + 1e-9)
      CHECK(driven["V_m"][k] == quiet["V_m"][k]);
    else
      CHECK(driven["V_m"][k] > quiet["V_m"][k]);
  }
}

TEST_CASE("ht_neuron: a spike of multiplicity n acts as n spikes (issue-77)", "[ht_neuron]") {
  auto run = [](const Dict& generator, double weight, int copies) {
    return trace({}, 20.0, List{"g_AMPA", "V_m"}, [&](Simulator& sim, const NodeCollection& nrn) {
      auto sg = sim.create("spike_generator", 1, generator);
      for (int c = 0; c < copies; ++c) sim.connect(sg, nrn, Rule::all_to_all, {.weight = weight, .receptor = 1});
    });
  };
  const auto multiple = run({{"spike_times", dvec({5.0})}, {"spike_multiplicities", dvec({3.0})}}, 1.0, 1);
  const auto three = run({{"spike_times", dvec({5.0})}}, 1.0, 3);
  const auto heavy = run({{"spike_times", dvec({5.0})}}, 3.0, 1);
  CHECK(multiple["g_AMPA"] == three["g_AMPA"]);
  CHECK(multiple["V_m"] == three["V_m"]);
  CHECK(multiple["g_AMPA"] == heavy["g_AMPA"]);
  CHECK(*std::max_element(multiple["g_AMPA"].begin(), multiple["g_AMPA"].end()) > 0.29);
}

TEST_CASE("ht_neuron: spikes need receptors 1..4, currents receptor 0 (ticket-433)", "[ht_neuron]") {
  Simulator sim;
  auto nrn = sim.create("ht_neuron");
  auto sg = sim.create("spike_generator");
  auto dc = sim.create("dc_generator");
  const std::string zero = error_of([&] { sim.connect(sg, nrn); });
  CHECK_THAT(zero, Contains("receptor") && Contains("AMPA"));
  CHECK_THROWS_AS(sim.connect(sg, nrn, Rule::all_to_all, {.receptor = 5}), UserError);
  CHECK_THROWS_AS(sim.connect(dc, nrn, Rule::all_to_all, {.receptor = 1}), UserError);
  for (long r = 1; r <= 4; ++r) CHECK_NOTHROW(sim.connect(sg, nrn, Rule::all_to_all, {.receptor = r}));
  CHECK_NOTHROW(sim.connect(dc, nrn));
  sim.simulate(1.0);
  const auto c = sim.get_connections(sg[0], nrn[0]);
  std::vector<long> ports;
  for (const auto& info : c) ports.push_back(info.receptor);
  std::sort(ports.begin(), ports.end());
  CHECK(ports == std::vector<long>{1, 2, 3, 4});
}

TEST_CASE("ht_neuron: passive relaxation follows the closed form of the Hill-Tononi notebook (spec 8)", "[ht_neuron]") {
  // Intrinsic currents off, DC I from 2 ms on: V(t) = V_inf + (V0 - V_inf) exp(-(t-2)/tau_eff),
  // tau_eff = tau_m/(g_NaL + g_KL), V_inf = (g_NaL E_Na + g_KL E_K + I)/(g_NaL + g_KL);
  // theta relaxes from its initial value to theta_eq with tau_theta.
  Dict params = no_intrinsic_currents;
  params.set("theta", -40.0);
  const double I = 10.0;
  auto s = trace(params, 60.0, List{"V_m", "theta"}, [&](Simulator& sim, const NodeCollection& nrn) {
    auto dc = sim.create("dc_generator", 1, {{"amplitude", I}, {"start", 1.0}});
    sim.connect(dc, nrn);
  });
  const double tau_eff = 16.0 / 1.2, V0 = -70.0, V_inf = (0.2 * 30.0 + 1.0 * -90.0 + I) / 1.2;
  double worst_v = 0.0, worst_theta = 0.0;
  for (std::size_t k = 0; k < s.times.size(); ++k) {
    const double t = s.times[k];
    const double v = t <= 2.0 ? V0 : V_inf + (V0 - V_inf) * std::exp(-(t - 2.0) / tau_eff);
    worst_v = std::max(worst_v, std::fabs(s["V_m"][k] - v));
    const double theta = -51.0 + (-40.0 + 51.0) * std::exp(-t / 2.0);
    worst_theta = std::max(worst_theta, std::fabs(s["theta"][k] - theta));
  }
  CHECK(worst_v < 1e-4);  // mV; rkf45 with absolute error 1e-3 per step
  CHECK(worst_theta < 1e-4);
}

TEST_CASE("ht_neuron: voltage_clamp holds V_m at its value when the simulation starts", "[ht_neuron]") {
  auto s = trace({{"voltage_clamp", true}, {"V_m", -60.0}}, 10.0, List{"V_m", "I_h"},
                 [](Simulator& sim, const NodeCollection& nrn) {
                   auto dc = sim.create("dc_generator", 1, {{"amplitude", 50.0}});
                   sim.connect(dc, nrn);
                 });
  for (double v : s["V_m"]) CHECK(v == -60.0);
  CHECK(s["I_h"].front() != s["I_h"].back());  // the gates move under the clamp
}

TEST_CASE("ht_neuron: reset_network returns to the model's state and repeats the run exactly", "[ht_neuron]") {
  Simulator sim;
  sim.set_defaults("ht_neuron", {{"V_m", -65.0}});
  auto nrn = sim.create("ht_neuron");
  auto sg = sim.create("spike_generator", 1, {{"spike_times", dvec({5.0, 7.0, 9.0})}});
  auto det = sim.create("spike_detector");
  auto mm = sim.create("multimeter", 1, {{"interval", 0.1}, {"record_from", List{"V_m", "I_T"}}});
  sim.connect(sg, nrn, Rule::all_to_all, {.weight = 8.0, .receptor = 1});
  sim.connect(nrn, det);
  sim.connect(mm, nrn);
  sim.set_status(nrn[0], {{"V_m", -50.0}});
  sim.simulate(30.0);
  const auto first = sim.samples(mm[0]);
  sim.reset_network();
  CHECK(sim.get_status(nrn[0]).at("V_m").as_double() == -65.0);
  // Same start as the first run, same input times relative to the new start (time runs on).
  sim.set_status(nrn[0], {{"V_m", -50.0}});
  sim.set_status(sg[0], {{"origin", 30.0}});
  sim.simulate(30.0);
  const auto second = sim.samples(mm[0]);
  std::map<long long, double> v_first;
  for (std::size_t k = 0; k < first.times.size(); ++k) v_first[std::llround(first.times[k] * 10)] = first["V_m"][k];
  std::size_t compared = 0;
  for (std::size_t k = 0; k < second.times.size(); ++k) {
    const long long step = std::llround(second.times[k] * 10) - 300;
    if (step <= 0 || !v_first.count(step)) continue;
    INFO("t = " << second.times[k]);
    CHECK(second["V_m"][k] == v_first[step]);
    ++compared;
  }
  CHECK(compared >= 250);
}

TEST_CASE("ht_neuron: Simulate(a) + Simulate(b) equals Simulate(a + b) (test_split_simulation)", "[ht_neuron]") {
  auto run = [](const std::vector<double>& chunks) {
    Simulator sim;
    sim.set_kernel_status({{"resolution", 0.5}});
    auto nrn = sim.create("ht_neuron", 1, {{"V_m", -44.0}, {"g_KL", 1.0}, {"g_NaL", 1.0}});
    auto sg = sim.create("spike_generator", 1, {{"spike_times", dvec({10.0, 12.5, 30.0})}});
    auto det = sim.create("spike_detector");
    auto mm = sim.create("multimeter", 1, {{"interval", 0.5}, {"record_from", List{"V_m", "I_KNa"}}});
    sim.connect(sg, nrn, Rule::all_to_all, {.weight = 3.0, .receptor = 3});
    sim.connect(nrn, det);
    sim.connect(mm, nrn);
    for (double ms : chunks) sim.simulate(ms);
    return std::make_pair(sim.spikes(det[0]).times, sim.samples(mm[0]));
  };
  // The step proposal is carried across Simulate calls, so splitting changes nothing.
  const auto whole = run({60.0});
  const auto split = run({17.5, 42.5});
  CHECK(split.first == whole.first);
  REQUIRE(whole.first.size() > 5);
  REQUIRE(split.second.times.size() == whole.second.times.size());
  CHECK(split.second["V_m"] == whole.second["V_m"]);
  CHECK(split.second["I_KNa"] == whole.second["I_KNa"]);
}

TEST_CASE("ht_neuron: nodes created after a simulation leave the others' integration alone", "[ht_neuron]") {
  // NEST initialises the buffers (integration step, present current) of new nodes only.
  auto run = [](bool create_between) {
    Simulator sim;
    sim.set_kernel_status({{"resolution", 0.5}});
    auto nrn = sim.create("ht_neuron", 1, {{"V_m", -44.0}, {"g_KL", 1.0}, {"g_NaL", 1.0}});
    auto dc = sim.create("dc_generator", 1, {{"amplitude", 5.0}});
    auto mm = sim.create("multimeter", 1, {{"interval", 0.5}, {"record_from", List{"V_m"}}});
    sim.connect(dc, nrn);
    sim.connect(mm, nrn);
    sim.simulate(17.5);
    if (create_between) sim.create("ht_neuron");
    sim.simulate(42.5);
    return sim.samples(mm[0])["V_m"];
  };
  CHECK(run(true) == run(false));
}

TEST_CASE("ht_neuron: results do not depend on the number of threads", "[ht_neuron][threads]") {
  auto run = [](int threads) {
    Simulator sim;
    sim.set_kernel_status({{"local_num_threads", threads}, {"rng_seed", 7}});
    auto pg = sim.create("poisson_generator", 1, {{"rate", 400.0}});
    auto parrots = sim.create("parrot_neuron", 8);
    auto nrn = sim.create("ht_neuron", 12);
    auto det = sim.create("spike_detector");
    auto mm = sim.create("multimeter", 1, {{"interval", 0.5}, {"record_from", List{"V_m", "g_NMDA", "I_KNa"}}});
    sim.connect(pg, parrots);
    std::vector<NodeId> src, tgt;
    for (std::size_t k = 0; k < nrn.size(); ++k)
      for (std::size_t j = 0; j < 3; ++j) {
        src.push_back(parrots[(k + 3 * j) % parrots.size()]);
        tgt.push_back(nrn[k]);
      }
    sim.connect(src, tgt, std::vector<double>(src.size(), 4.0), {}, {.receptor = 1});
    sim.connect(src, tgt, std::vector<double>(src.size(), 1.0), {}, {.receptor = 2});
    sim.connect(nrn, nrn, Rule::all_to_all, {.weight = 0.5, .delay = 1.5, .receptor = 3});
    sim.connect(nrn, det);
    sim.connect(mm, nrn);
    sim.simulate(200.0);
    auto spikes = sim.spikes(det[0]);
    std::vector<std::pair<double, NodeId>> s;
    for (std::size_t k = 0; k < spikes.times.size(); ++k) s.emplace_back(spikes.times[k], spikes.senders[k]);
    std::sort(s.begin(), s.end());
    auto samples = sim.samples(mm[0]);
    std::vector<std::tuple<NodeId, double, double, double, double>> m;
    for (std::size_t k = 0; k < samples.times.size(); ++k)
      m.emplace_back(samples.senders[k], samples.times[k], samples["V_m"][k], samples["g_NMDA"][k],
                     samples["I_KNa"][k]);
    std::sort(m.begin(), m.end());
    return std::make_pair(s, m);
  };
  const auto one = run(1);
  REQUIRE(one.first.size() > 20);  // the network is active
  CHECK(run(2) == one);
  CHECK(run(4) == one);
}

TEST_CASE("GSL-style RKF45: the last sub-step ends exactly at the target and seeds the next step", "[ode]") {
  // y' = -y: one call from t = 0 with a proposal beyond the target takes one truncated step.
  auto decay = [](const ode::Vector<1>& y, ode::Vector<1>& f, double) { f[0] = -y[0]; };
  ode::GslStyleRkf45<1> integrator;
  ode::Vector<1> y{1.0}, dydt{-1.0};
  double t = 0.0, h = 0.5;
  integrator.apply(decay, y, dydt, t, 0.1, h);
  CHECK(t == 0.1);
  CHECK(y[0] == Approx(std::exp(-0.1)).epsilon(1e-9));
  CHECK(dydt[0] == -y[0]);  // derivative at the new point
  CHECK(h == Approx(0.5));  // tiny error: 5 x the truncated step 0.1

  // A proposal shorter than the span advances by it and grows by at most a factor of 5.
  ode::Vector<1> z{1.0}, dz{-1.0};
  double tz = 0.0, hz = 0.03;
  integrator.apply(decay, z, dz, tz, 0.1, hz);
  CHECK(tz == 0.03);
  CHECK(hz == Approx(0.15));
  integrator.apply(decay, z, dz, tz, 0.1, hz);  // reaches the end: truncated to 0.07
  CHECK(tz == 0.1);
  CHECK(hz == Approx(0.35));
}

TEST_CASE("GSL-style RKF45: a step with too large an error is retried with a smaller one", "[ode]") {
  // y' = -50 y from y = 1000 with h = 1: the error is far above 1e-3, so the accepted step
  // shrinks by factors of at most 5 until it meets the tolerance.
  auto stiff = [](const ode::Vector<1>& y, ode::Vector<1>& f, double) { f[0] = -50.0 * y[0]; };
  ode::GslStyleRkf45<1> integrator;
  ode::Vector<1> y{1000.0}, dydt{-50000.0};
  double t = 0.0, h = 1.0;
  const int rejected = integrator.apply(stiff, y, dydt, t, 1.0, h);
  CHECK(rejected >= 3);
  CHECK(t > 0.0);
  CHECK(t < 1.0);
  CHECK(y[0] == Approx(1000.0 * std::exp(-50.0 * t)).margin(1e-2));
}

TEST_CASE("packed exp: within 2 ulp of std::exp, exact fallback outside the fast range", "[ode]") {
  const std::array<double, 4> scale = {1.0, -0.5, 0.25, 1e-3}, shift = {0.0, -5.0, -1.25, 0.0};
  const double safe = ode::exp_affine_safe_range(scale, shift);
  CHECK(safe == 708.0);  // lane 0 limits it: |x| * 1 <= 708
  double worst_ulp = 0.0;
  for (double x = -708.0; x <= 708.0; x += 0.0137) {
    std::array<double, 4> e;
    ode::exp_affine(x, scale, shift, e, safe);
    for (std::size_t k = 0; k < 4; ++k) {
      const double want = std::exp(std::fma(x, scale[k], shift[k]));
      worst_ulp = std::max(worst_ulp, std::fabs(e[k] - want) / (std::nextafter(want, INFINITY) - want));
    }
  }
  CHECK(worst_ulp <= 2.0);
  std::array<double, 4> far;
  ode::exp_affine(800.0, scale, shift, far, safe);  // beyond the fast range: std::exp, overflow included
  CHECK(far[0] == std::exp(800.0));
  CHECK(std::isinf(far[0]));
  ode::exp_affine(std::nan(""), scale, shift, far, safe);
  for (double v : far) CHECK(std::isnan(v));
}

TEST_CASE("after an input jump the refreshed derivative equals a fresh evaluation bit for bit", "[ht_neuron][ode]") {
  using V = ht::Stock;
  using L = ht::Layout<V>;
  const HtParameters p;
  const HtConstants<V> k = HtConstants<V>::from(p, 0.0, 20, 0.1);
  std::mt19937_64 random(5);
  std::uniform_real_distribution<double> conductance(0.0, 0.5), weight(0.1, 3.0);
  int differing = 0;
  for (int trial = 0; trial < 200; ++trial) {
    HtCell<V> s;
    s.y = p.equilibrium_state<L>();
    for (int r = 0; r < L::channels; ++r) {
      s.y[L::dg(r)] = conductance(random);
      s.y[L::g(r)] = conductance(random);
    }
    HtDynamics<V> rhs{{&k, &k, 0.0, false, &s.last, {}}};
    rhs(s.y, s.dydt, 0.0);
    s.derivative_known = true;
    for (int r = 0; r < L::channels; ++r) {
      s.y[L::dg(r)] += k.cond_step[r] * weight(random);
      ht::refresh_channel_derivative<V>(ht::CellAccess<V>{s}, k, r);
    }
    L::Vector fresh{};
    rhs(s.y, fresh, 0.0);
    for (int i = 0; i < L::size; ++i)
      differing += std::bit_cast<std::uint64_t>(s.dydt[i]) != std::bit_cast<std::uint64_t>(fresh[i]);
  }
  CHECK(differing == 0);
}
