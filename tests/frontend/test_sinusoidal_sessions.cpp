// deNEST unit changes of sinusoidal_poisson_generator between sessions (mc-sleep spec §4, the
// drifting grating): constant, multiplicative and from_array changes of rate, amplitude,
// frequency and phase act from the next session, with the phase in absolute time.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <numbers>

#include "tests/frontend/cli_support.hpp"

namespace fs = std::filesystem;

namespace {
struct Sine {
  double rate, amplitude, frequency, phase;
  double at(double t) const {
    return std::max(0.0, rate + amplitude * std::sin(frequency * 2.0 * std::numbers::pi / 1000.0 * t +
                                                     phase * std::numbers::pi / 180.0));
  }
};
}  // namespace

TEST_CASE("unit changes set rate, amplitude, frequency and phase of sinusoidal generators per session",
          "[frontend][sessions][sinusoidal]") {
  const fs::path dir = fs::temp_directory_path() / "nestling_run_sinusoidal_sessions";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "tree.yml") << R"(
kernel:
  nest_params: {resolution: 0.1, overwrite_files: true}
simulation:
  params: {sessions: [a, b, c, d]}
session_models:
  a:
    params:
      simulation_time: 10.0
      unit_changes:
      - {layers: [g], population_name: sine, nest_params: {rate: 100.0, amplitude: 50.0, frequency: 20.0, phase: 0.0}}
  b:
    params:
      simulation_time: 10.0
      unit_changes:
      - {layers: [g], population_name: sine, change_type: multiplicative, nest_params: {amplitude: 2.0, rate: 0.5}}
  c:
    params:
      simulation_time: 10.0
      unit_changes:
      - {layers: [g], population_name: sine, from_array: true, nest_params: {phase: phase.npy, frequency: frequency.npy}}
  d:
    params: {simulation_time: 1.0}
network:
  neuron_models:
    sine: {params: {nest_model: sinusoidal_poisson_generator}}
  recorder_models:
    mm: {params: {nest_model: multimeter}, nest_params: {record_from: [rate], interval: 0.1, record_to: [file]}}
  layers:
    g:
      params: {populations: {sine: 1}}
      nest_params: {rows: 1, columns: 2}
  recorders:
    params:
      population_recorders:
      - {layers: [g], populations: null, model: mm}
)";
  // (rows, columns, units) = (1, 2, 1): the unit at column c gets phase 90·(c+1), frequency −3·(c+1)
  nestling::testing::write_npy(dir / "phase.npy", {1, 2, 1}, {90.0, 180.0});
  nestling::testing::write_npy(dir / "frequency.npy", {1, 2, 1}, {-30.0, -60.0});
  const auto o = nestling::testing::run_nestling("run -q " + (dir / "tree.yml").string() + " -o " +
                                                 (dir / "out").string() + " -i " + dir.string());
  INFO(o.output);
  REQUIRE(o.status == 0);

  std::map<long, std::vector<std::pair<double, double>>> rates;  // gid → (time, rate)
  for (const auto& e : fs::directory_iterator(dir / "out" / "data"))
    if (e.path().extension() == ".dat") {
      std::ifstream in(e.path());
      long gid;
      double t, r;
      while (in >> gid >> t >> r) rates[gid].emplace_back(t, r);
    }
  REQUIRE(rates.size() == 2);
  const Sine a{100.0, 50.0, 20.0, 0.0}, b{50.0, 100.0, 20.0, 0.0};
  const std::vector<Sine> c = {{50.0, 100.0, -30.0, 90.0}, {50.0, 100.0, -60.0, 180.0}};
  std::size_t unit = 0;
  for (const auto& [gid, samples] : rates) {  // gids in column order
    REQUIRE(samples.size() == 300);  // 0.1 … 30.0 ms: the last slice (1 ms, the multimeter delay) is pending
    for (const auto& [t, r] : samples) {
      const Sine& s = t <= 10.0 + 1e-9 ? a : t <= 20.0 + 1e-9 ? b : c[unit];
      INFO("unit " << unit << " t " << t);
      CHECK(r == Approx(s.at(t)).margin(5.01e-4));  // the text files carry three decimals
    }
    ++unit;
  }
}
