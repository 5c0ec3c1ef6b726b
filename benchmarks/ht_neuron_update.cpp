// ht_neuron_update: what one Hill-Tononi neuron update costs, in ns per neuron and time step,
// at 1 thread, for the stock ht_neuron and the sleep model's neuron
// (ht_neuron_minis_GABA_B1a_soft_gap_noprelimspike, "NP") side by side.
//
// Measures the time of Simulator::simulate for a population of neurons (h = 0.1 ms) and
// divides it by neurons × steps: the process CPU time (robust when other programs share the
// machine) and the wall-clock time. The population is large enough that the kernel's
// per-slice work is negligible; what remains is the neuron update (adaptive RKF45 over the
// 16 state variables of ht_neuron, 18 of NP) plus, in the driven scenarios, the delivery of
// the input spikes. The models alternate within each repetition; min and median are shown.
// NP runs with its own defaults (g_peak_NaP = g_peak_KNa = 0.5) and as "NP stock gates" with
// ht_neuron's values (1.0), which gives the stock model's dynamics and so compares the cost
// of the same trajectories.
//   rest      default neurons, no input: the intrinsic currents drift them towards rest.
//   driven    every neuron gets AMPA input (weight 1) from 10 of 500 parrot neurons, each
//             repeating one 20 Hz Poisson train: 200 input spikes/s per neuron, which fire it
//             a few times per second.
//   dc        a dc_generator (10) drives every neuron to fire; adaptation slows it to a few
//             spikes per second.
// Each model runs on the scalar code and on every vector path this CPU has (models/ht_neuron_lanes.hpp).
// The first 100 ms are simulated untimed (warm-up, initial transient); then 1000 ms are timed.
// NEST 2.20.2 spends about 2 µs per neuron-step on ht_neuron (GSL rkf45) on this machine kind.
//
// Usage: ht_neuron_update [neurons (default 2000)] [repetitions (default 3)]
//        NESTLING_SIMD=avx512 ht_neuron_update ...   the scalar code and that path only

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "benchmarks/provenance.hpp"
#include "models/ht_neuron_lanes.hpp"
#include "nestling/simulator.hpp"

using namespace nestling;

namespace {

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

struct Result {
  double ns_per_neuron_step = 0.0;  // CPU time
  double wall_ns_per_neuron_step = 0.0;
  double rate_hz = 0.0;  // output spikes per neuron and second
};

enum class Scenario { rest, driven, dc };

struct Model {
  const char* label;
  const char* name;
  Dict params;
};

Result measure(const Model& model, Scenario scenario, std::size_t n, double warmup_ms, double timed_ms) {
  Simulator sim;
  sim.set_kernel_status({{"resolution", 0.1}, {"local_num_threads", 1}});
  const NodeCollection neurons = sim.create(model.name, n, model.params);
  const NodeCollection det = sim.create("spike_detector");
  sim.connect(neurons, det);  // delay 1 ms: min_delay is 10 steps in every scenario
  if (scenario == Scenario::driven) {
    const std::size_t n_parrots = 500, fan_in = 10;
    const NodeCollection pg = sim.create("poisson_generator", 1, {{"rate", 20.0}});
    const NodeCollection parrots = sim.create("parrot_neuron", n_parrots);
    sim.connect(pg, parrots);
    std::mt19937 rng(12345);
    std::uniform_int_distribution<std::size_t> pick(0, n_parrots - 1);
    std::vector<NodeId> sources, targets;
    for (NodeId target : neurons)
      for (std::size_t k = 0; k < fan_in; ++k) {
        sources.push_back(parrots[pick(rng)]);
        targets.push_back(target);
      }
    SynSpec syn;
    syn.receptor = 1;
    sim.connect(sources, targets, std::vector<double>(sources.size(), 1.0), std::vector<double>(sources.size(), 1.0),
                syn);
  }
  if (scenario == Scenario::dc) {
    const NodeCollection dc = sim.create("dc_generator", 1, {{"amplitude", 10.0}});
    sim.connect(dc, neurons);
  }
  sim.simulate(warmup_ms);
  const std::size_t spikes_before = sim.spikes(det[0]).times.size();
  const auto t0 = std::chrono::steady_clock::now();
  const double c0 = cpu_seconds();
  sim.simulate(timed_ms);
  const double cpu = cpu_seconds() - c0;
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const std::size_t spikes = sim.spikes(det[0]).times.size() - spikes_before;
  const double neuron_steps = static_cast<double>(n) * timed_ms / 0.1;
  return {cpu * 1e9 / neuron_steps, wall * 1e9 / neuron_steps,
          static_cast<double>(spikes) / static_cast<double>(n) / (timed_ms / 1000.0)};
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 2000;
  const int repetitions = argc > 2 ? std::atoi(argv[2]) : 3;
  // Every path this CPU has, or the scalar code and the one NESTLING_SIMD names.
  std::vector<ht::LanePath> paths = {ht::LanePath::scalar};
  if (std::getenv("NESTLING_SIMD")) {
    if (ht::lane_path() != ht::LanePath::scalar) paths.push_back(ht::lane_path());
  } else {
    for (auto p : {ht::LanePath::portable, ht::LanePath::avx2, ht::LanePath::avx512})
      if (ht::lane_path_available(p)) paths.push_back(p);
  }
  std::printf("%s\n", bench::provenance().c_str());
  std::printf(
      "Hill-Tononi neuron update cost, 1 thread, h = 0.1 ms, %zu neurons, 1000 ms timed after 100 ms warm-up, "
      "%d repetitions, models and integration paths alternating\n",
      n, repetitions);
  const std::array<Model, 3> models = {Model{"ht_neuron", "ht_neuron", {}},
                                       Model{"NP", "ht_neuron_minis_GABA_B1a_soft_gap_noprelimspike", {}},
                                       Model{"NP stock gates",
                                             "ht_neuron_minis_GABA_B1a_soft_gap_noprelimspike",
                                             {{"g_peak_NaP", 1.0}, {"g_peak_KNa", 1.0}}}};
  std::printf("%-8s %-15s %-9s %12s %14s %12s %16s %14s\n", "scenario", "model", "path", "cpu ns min",
              "cpu ns median", "wall ns min", "spikes/s/neuron", "vs scalar");
  const std::pair<const char*, Scenario> scenarios[] = {
      {"rest", Scenario::rest}, {"driven", Scenario::driven}, {"dc", Scenario::dc}};
  for (const auto& [name, scenario] : scenarios) {
    std::vector<std::vector<std::vector<Result>>> results(models.size(), std::vector<std::vector<Result>>(paths.size()));
    for (int r = 0; r < repetitions; ++r)
      for (std::size_t m = 0; m < models.size(); ++m)
        for (std::size_t p = 0; p < paths.size(); ++p) {
          ht::set_lane_path(paths[p]);
          results[m][p].push_back(measure(models[m], scenario, n, 100.0, 1000.0));
        }
    for (std::size_t m = 0; m < models.size(); ++m) {
      double scalar_min = 0.0;
      for (std::size_t p = 0; p < paths.size(); ++p) {
        auto& res = results[m][p];
        std::sort(res.begin(), res.end(),
                  [](const Result& a, const Result& b) { return a.ns_per_neuron_step < b.ns_per_neuron_step; });
        double wall_min = res.front().wall_ns_per_neuron_step;
        for (const Result& x : res) wall_min = std::min(wall_min, x.wall_ns_per_neuron_step);
        if (p == 0) scalar_min = res.front().ns_per_neuron_step;
        std::printf("%-8s %-15s %-9s %12.1f %14.1f %12.1f %16.2f %13.2fx\n", name, models[m].label,
                    ht::lane_path_name(paths[p]), res.front().ns_per_neuron_step, res[res.size() / 2].ns_per_neuron_step,
                    wall_min, res.front().rate_hz, scalar_min / res.front().ns_per_neuron_step);
      }
    }
  }
  ht::reset_lane_path();
  std::printf("NEST 2.20.2 reference: about 2000 ns/neuron-step.\n");
  return 0;
}
