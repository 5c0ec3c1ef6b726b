// Lane-parallel integration of the Hill–Tononi models (models/ht_neuron_lanes.hpp): on every
// path this CPU has, each lane must compute exactly what the scalar code computes, bit for bit,
// step after step, with spikes, rejected attempts, end-of-interval cuts, mixed parameters,
// inputs arriving between steps and partial blocks; and whole networks give identical outputs.
#include <catch2/catch.hpp>
#include <cstring>
#include <optional>
#include <random>
#include <vector>

#include "models/ht_neuron.hpp"
#include "models/ht_neuron_lanes.hpp"
#include "models/ht_neuron_sleep.hpp"
#include "nestling/simulator.hpp"

using namespace nestling;

namespace {

std::vector<ht::LanePath> vector_paths() {
  std::vector<ht::LanePath> paths;
  for (auto p : {ht::LanePath::portable, ht::LanePath::avx2, ht::LanePath::avx512})
    if (ht::lane_path_available(p)) paths.push_back(p);
  return paths;
}

template <class Cell>
bool same_bits(const Cell& a, const Cell& b) {
  auto eq = [](const auto& x, const auto& y) { return std::memcmp(&x, &y, sizeof(x)) == 0; };
  return eq(a.y, b.y) && eq(a.dydt, b.dydt) && eq(a.step, b.step) && eq(a.last.I_NaP, b.last.I_NaP) &&
         eq(a.last.I_KNa, b.last.I_KNa) && eq(a.last.I_T, b.last.I_T) && eq(a.last.I_h, b.last.I_h) &&
         eq(a.last.m_eq_NMDA, b.last.m_eq_NMDA) && eq(a.last.I_gap, b.last.I_gap) && a.ref_steps == b.ref_steps &&
         a.derivative_known == b.derivative_known;
}

// Three parameter sets that differ in the channels, time constants and thresholds.
template <class Variant>
std::vector<HtConstants<Variant>> parameter_sets() {
  std::vector<HtConstants<Variant>> sets;
  typename Variant::Parameters p;
  sets.push_back(HtConstants<Variant>::from(p, -70.0, 20, 0.1));
  p.g_peak_AMPA = 0.25;
  p.tau_m = 8.0;
  p.theta_eq = -53.0;
  p.g_peak_T = 2.0;
  p.g_peak_h = 0.5;
  sets.push_back(HtConstants<Variant>::from(p, -70.0, 10, 0.1));
  p.g_peak_NMDA = 0.2;
  p.S_act_NMDA = 0.1;
  p.tau_theta = 1.0;
  p.g_peak_KNa = 2.0;
  sets.push_back(HtConstants<Variant>::from(p, -70.0, 5, 0.1));
  return sets;
}

// Random but plausible states: V below and above threshold, conductances, gates, D, some
// neurons refractory, currents and gap input.
template <class Variant>
HtCell<Variant> random_cell(std::mt19937_64& rng, const typename Variant::Parameters& p) {
  using L = ht::Layout<Variant>;
  std::uniform_real_distribution<double> u(0.0, 1.0);
  HtCell<Variant> s;
  const double V = -85.0 + 40.0 * u(rng);
  s.y = p.template equilibrium_state<L>();
  s.y[L::V_M] = V;
  s.y[L::THETA] = -55.0 + 8.0 * u(rng);
  for (int c = 0; c < L::channels; ++c) {
    s.y[L::dg(c)] = u(rng) < 0.5 ? 0.0 : 0.5 * u(rng);
    s.y[L::g(c)] = u(rng) < 0.5 ? 0.0 : 0.3 * u(rng);
  }
  s.y[L::D_IKNA] = 0.001 + 0.5 * u(rng);
  s.y[L::M_IH] = u(rng);
  s.y[L::M_IT] = u(rng);
  s.y[L::H_IT] = u(rng);
  s.step = u(rng) < 0.5 ? 0.1 : 0.01 + 0.2 * u(rng);
  s.I_stim = u(rng) < 0.7 ? 0.0 : 20.0 * u(rng);
  s.ref_steps = u(rng) < 0.2 ? static_cast<int>(1 + 20 * u(rng)) : 0;
  if constexpr (Variant::gap) s.gap = {0.5 * u(rng), -30.0 * u(rng)};
  return s;
}

// Integrates `blocks` random blocks over `steps` steps on `path`, against the scalar code.
template <class Variant>
void compare_with_scalar(ht::LanePath path, int blocks, int steps) {
  using L = ht::Layout<Variant>;
  const int W = ht::lane_width(path);
  const auto kernel = ht::lane_kernel<Variant>(path);
  REQUIRE(kernel != nullptr);
  const auto sets = parameter_sets<Variant>();
  typename Variant::Parameters params;
  std::mt19937_64 rng(20261202);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  ht::Integrator<Variant> integrator({.eps_abs = 1e-3, .eps_rel = 0.0});
  integrator.assume_equal_intervals(true);
  long lane_steps = 0, fallbacks = 0, spikes = 0;
  for (int b = 0; b < blocks; ++b) {
    const int n = 1 + static_cast<int>(rng() % static_cast<unsigned>(W));  // partial blocks too
    const bool mixed = b % 3 == 0;
    std::vector<HtCell<Variant>> lanes(static_cast<std::size_t>(n)), scalar;
    std::vector<const HtConstants<Variant>*> k(static_cast<std::size_t>(n));
    for (int j = 0; j < n; ++j) {
      lanes[static_cast<std::size_t>(j)] = random_cell<Variant>(rng, params);
      k[static_cast<std::size_t>(j)] = &sets[mixed ? rng() % sets.size() : static_cast<std::size_t>(b) % sets.size()];
    }
    scalar = lanes;
    for (int step = 0; step < steps; ++step) {
      ht::LaneBlock<Variant> block;
      block.n = n;
      for (int j = 0; j < n; ++j) {
        block.cell[j] = &lanes[static_cast<std::size_t>(j)];
        block.k[j] = k[static_cast<std::size_t>(j)];
      }
      block.load();
      unsigned expected = 0;
      for (int j = 0; j < n; ++j)
        if (ht::advance(scalar[static_cast<std::size_t>(j)], *k[static_cast<std::size_t>(j)], 0.1, integrator))
          expected |= 1u << j;
      REQUIRE_FALSE(integrator.failed());
      const ht::LaneBlock<Variant> loaded = block;
      if (kernel(block)) {
        ++lane_steps;
        block.store();
        CHECK(block.spiked == expected);
      } else {
        // The group then stores the block and runs the scalar code: the state must be as
        // loaded, and so must every derivative the scalar code takes as known.
        REQUIRE(std::memcmp(block.y, loaded.y, sizeof block.y) == 0);
        REQUIRE(std::memcmp(block.known, loaded.known, sizeof block.known) == 0);
        for (int i = 0; i < L::size; ++i)
          for (int j = 0; j < n; ++j)
            if (loaded.known[j] != 0) REQUIRE(std::memcmp(&block.dydt[i][j], &loaded.dydt[i][j], sizeof(double)) == 0);
        ++fallbacks;  // the group would run the scalar code: take its result
        for (int j = 0; j < n; ++j) lanes[static_cast<std::size_t>(j)] = scalar[static_cast<std::size_t>(j)];
      }
      spikes += __builtin_popcount(expected);
      for (int j = 0; j < n; ++j) {
        INFO("block " << b << " step " << step << " lane " << j << " of " << n);
        REQUIRE(same_bits(lanes[static_cast<std::size_t>(j)], scalar[static_cast<std::size_t>(j)]));
      }
      // Input between steps, as the group adds it: a conductance jump or a new current.
      for (int j = 0; j < n; ++j) {
        if (u(rng) < 0.2) {
          // Mostly AMPA, which keeps the neurons firing.
          const int c = u(rng) < 0.7 ? 0 : static_cast<int>(rng() % static_cast<unsigned>(L::channels));
          for (auto* s : {&lanes[static_cast<std::size_t>(j)], &scalar[static_cast<std::size_t>(j)]}) {
            s->y[L::dg(c)] += 4.0;
            s->derivative_known = false;
          }
        }
        if (u(rng) < 0.05) {
          const double I = 80.0 * u(rng);
          for (auto* s : {&lanes[static_cast<std::size_t>(j)], &scalar[static_cast<std::size_t>(j)]}) {
            s->I_stim = I;
            s->derivative_known = false;
          }
        }
      }
    }
  }
  INFO(ht::lane_path_name(path) << ": " << lane_steps << " block-steps in lanes, " << fallbacks << " fell back, "
                                << spikes << " spikes");
  CHECK(spikes > 150);
  CHECK(fallbacks * 100 < lane_steps);  // the lanes did the work
}

template <class Variant>
void compare_all_paths() {
  const auto paths = vector_paths();
  REQUIRE_FALSE(paths.empty());
  for (auto path : paths) {
    INFO("path " << ht::lane_path_name(path));
    compare_with_scalar<Variant>(path, 40, 1000);
  }
}

}  // namespace

TEST_CASE("ht_neuron lanes: every lane computes the scalar code's bits", "[ht_neuron_lanes]") {
  compare_all_paths<ht::Stock>();
}

TEST_CASE("ht_neuron lanes: the sleep model's neurons, gap input included", "[ht_neuron_lanes]") {
  compare_all_paths<ht::SleepNP>();
  compare_all_paths<ht::SleepMG>();
}

TEST_CASE("ht_neuron lanes: rare paths go to the scalar code", "[ht_neuron_lanes]") {
  HtParameters p;
  p.voltage_clamp = true;
  const auto clamp = HtConstants<ht::Stock>::from(p, -60.0, 20, 0.1);
  p.voltage_clamp = false;
  p.N_NaP = 2.5;
  const auto fractional = HtConstants<ht::Stock>::from(p, -60.0, 20, 0.1);
  p.N_NaP = 3.0;
  p.instant_unblock_NMDA = true;
  const auto instant = HtConstants<ht::Stock>::from(p, -60.0, 20, 0.1);
  const auto plain = HtConstants<ht::Stock>::from(HtParameters{}, -60.0, 20, 0.1);
  CHECK(plain.lane_friendly());
  for (const auto* rare : {&clamp, &fractional, &instant}) {
    CHECK_FALSE(rare->lane_friendly());
    for (auto path : vector_paths()) {
      HtCell<ht::Stock> cells[2];
      cells[0].y = cells[1].y = HtParameters{}.equilibrium_state<ht::Layout<ht::Stock>>();
      cells[0].step = cells[1].step = 0.1;
      const HtCell<ht::Stock> before = cells[0];
      ht::LaneBlock<ht::Stock> block;
      block.n = 2;
      block.cell[0] = &cells[0];
      block.cell[1] = &cells[1];
      block.k[0] = &plain;
      block.k[1] = rare;
      block.load();
      CHECK_FALSE(ht::lane_kernel<ht::Stock>(path)(block));
      CHECK(same_bits(cells[0], before));  // untouched
    }
  }
}

// A lane that needs a second sub-step, and there leaves the fast exponential's range, makes the
// block go to the scalar code after the other lanes committed their step: the kernel must hand
// back the block as loaded (at full width it works in the block's rows).
TEST_CASE("ht_neuron lanes: a block declined after a commit is handed back as loaded", "[ht_neuron_lanes]") {
  const auto plain = HtConstants<ht::Stock>::from(HtParameters{}, -70.0, 20, 0.1);
  for (auto path : vector_paths()) {
    const int W = ht::lane_width(path);
    int declined = 0;
    for (double I_stim = 1e4; I_stim < 1e7; I_stim *= 1.1) {
      std::vector<HtCell<ht::Stock>> cells(static_cast<std::size_t>(W));
      ht::LaneBlock<ht::Stock> block;
      block.n = W;
      for (int j = 0; j < W; ++j) {
        auto& s = cells[static_cast<std::size_t>(j)];
        s.y = HtParameters{}.equilibrium_state<ht::Layout<ht::Stock>>();
        s.step = 0.1;
        block.cell[j] = &s;
        block.k[j] = &plain;
      }
      block.load();
      REQUIRE(ht::lane_kernel<ht::Stock>(path)(block));  // a step at rest: derivatives known
      block.step[W - 1] = 0.05;                          // two sub-steps
      block.I_stim[W - 1] = I_stim;
      block.known[W - 1] = 0;  // as after a change of current
      const ht::LaneBlock<ht::Stock> loaded = block;
      if (ht::lane_kernel<ht::Stock>(path)(block)) continue;
      ++declined;
      REQUIRE(std::memcmp(block.y, loaded.y, sizeof block.y) == 0);
      for (int i = 0; i < ht::Layout<ht::Stock>::size; ++i)
        REQUIRE(std::memcmp(block.dydt[i], loaded.dydt[i], sizeof(double) * static_cast<std::size_t>(W - 1)) == 0);
    }
    CHECK(declined > 0);
  }
}

TEST_CASE("ht_neuron lanes: a network's outputs are identical on every path", "[ht_neuron_lanes]") {
  auto run = [](std::optional<ht::LanePath> path) {
    if (path) ht::set_lane_path(*path);
    Simulator sim;
    sim.set_kernel_status({{"resolution", 0.1}, {"local_num_threads", 2}, {"rng_seed", 7}});
    // 13 neurons: two threads own blocks of 7 and 6, partial on every path.
    auto neurons = sim.create("ht_neuron", 13, {{"g_peak_T", 1.5}});
    auto sleepers = sim.create("ht_neuron_minis_GABA_B1a_soft_gap_noprelimspike", 11);
    auto pg = sim.create("poisson_generator", 1, {{"rate", 400.0}});
    sim.connect(pg, neurons, Rule::all_to_all, {.weight = 2.0, .delay = 1.0, .receptor = 1});
    sim.connect(pg, sleepers, Rule::all_to_all, {.weight = 2.0, .delay = 1.0, .receptor = 1});
    sim.connect(neurons, sleepers, Rule::all_to_all, {.weight = 0.5, .delay = 1.5, .receptor = 2});
    // Input on every kind of buffer of ht_neuron: two spike channels and a changing current.
    sim.connect(sleepers, neurons, Rule::all_to_all, {.weight = 0.3, .delay = 1.0, .receptor = 3});
    auto steps = sim.create("step_current_generator", 1,
                            {{"amplitude_times", List{50.0, 120.0, 200.0}}, {"amplitude_values", List{0.5, 0.0, 1.5}}});
    sim.connect(steps, neurons);
    auto det = sim.create("spike_detector");
    sim.connect(neurons, det);
    sim.connect(sleepers, det);
    auto mm = sim.create("multimeter", 1, {{"record_from", List{"V_m", "I_T", "I_KNa"}}, {"interval", 0.1}});
    sim.connect(mm, neurons);
    sim.connect(mm, sleepers);
    sim.simulate(300.0);
    ht::reset_lane_path();
    return std::make_pair(sim.spikes(det[0]), sim.samples(mm[0]));
  };
  const auto [spikes, samples] = run(ht::LanePath::scalar);
  REQUIRE(spikes.senders.size() > 50);
  for (auto path : vector_paths()) {
    INFO("path " << ht::lane_path_name(path));
    const auto [s, m] = run(path);
    CHECK(s.senders == spikes.senders);
    CHECK(s.times == spikes.times);
    CHECK(m.senders == samples.senders);
    CHECK(m.values == samples.values);
  }
}
