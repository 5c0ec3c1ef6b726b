// Reference check `ht_neuron`: single-neuron protocols against NEST 2.20.2 (REF_DIR/cases.yml).
//
// Every case is run through the public API as NEST ran it: one ht_neuron with neuron_params,
// one spike_generator per spike_inputs entry (static_synapse to the named receptor, with the
// entry's weight and delay), an optional dc_generator / step_current_generator on port 0 (with
// NEST's default connection), a multimeter recording the columns of the reference CSV every
// multimeter_interval_ms, and a spike_detector. Nothing here knows a particular case.
//
// A case passes when
//   * the sample times equal the reference's (compared in steps),
//   * the output spike times equal NEST's (compared in steps),
//   * |ΔV_m| ≤ 0.05 mV at every sample,
//   * every other column deviates by at most 1e-3 × (max − min) of its reference trace; a
//     flat reference trace (max = min) allows 1e-9 in absolute terms, which covers the ten
//     significant digits the reference CSVs are written with.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <sstream>

#include "nestling/simulator.hpp"
#include "tests/validation/reference_check.hpp"
#include "tests/validation/reference_util.hpp"

namespace nestling::validation {
namespace {

constexpr double v_m_tolerance = 0.05;         // mV
constexpr double relative_tolerance = 1e-3;    // of the reference trace's range
constexpr double flat_trace_tolerance = 1e-9;  // absolute, for constant reference traces

struct Run {
  Table trace;
  std::vector<double> spike_times;  // ms
  double resolution = 0.1;
};

// Builds the case's network through the public API and simulates it.
Run run_case(const YAML::Node& c, const std::vector<std::string>& columns) {
  Run run;
  run.resolution = c["resolution_ms"].as<double>();
  Simulator sim;
  sim.set_kernel_status({{"resolution", run.resolution}});
  const NodeCollection neuron = sim.create("ht_neuron", 1, to_dict(c["neuron_params"]));
  const Dict receptors = sim.get_status(neuron[0]).at("receptor_types").as_dict();

  for (const auto& input : c["spike_inputs"]) {
    std::vector<double> times;
    for (const auto& t : input["spike_times"]) times.push_back(t.as<double>());
    const NodeCollection gen = sim.create("spike_generator", 1, {{"spike_times", times}});
    const YAML::Node receptor = input["receptor"];
    const Value named = to_value(receptor);
    const long port = named.is_int() ? static_cast<long>(named.as_int())
                                     : static_cast<long>(receptors.at(receptor.as<std::string>()).as_int());
    SynSpec syn;
    syn.weight = input["weight"].as<double>();
    syn.delay = input["delay_ms"].as<double>();
    syn.receptor = port;
    sim.connect(gen, neuron, Rule::all_to_all, syn);
  }
  for (const char* device : {"dc_generator", "step_current_generator"}) {
    const YAML::Node params = c[device];
    if (!params || params.IsNull()) continue;
    sim.connect(sim.create(device, 1, to_dict(params)), neuron);
  }

  List record_from;
  for (std::size_t k = 1; k < columns.size(); ++k) record_from.push_back(columns[k]);
  const NodeCollection mm = sim.create(
      "multimeter", 1, {{"interval", c["multimeter_interval_ms"].as<double>()}, {"record_from", record_from}});
  const NodeCollection det = sim.create("spike_detector");
  sim.connect(mm, neuron);
  sim.connect(neuron, det);
  sim.simulate(c["simulate_ms"].as<double>());

  const SampleData samples = sim.samples(mm[0]);
  run.trace.columns = columns;
  for (std::size_t s = 0; s < samples.times.size(); ++s) {
    std::vector<double> row{samples.times[s]};
    for (std::size_t k = 1; k < columns.size(); ++k) row.push_back(samples[columns[k]][s]);
    run.trace.rows.push_back(std::move(row));
  }
  run.spike_times = sim.spikes(det[0]).times;
  return run;
}

std::vector<long long> to_steps(const std::vector<double>& times_ms, double resolution) {
  std::vector<long long> steps;
  for (double t : times_ms) steps.push_back(std::llround(t / resolution));
  return steps;
}

struct Verdict {
  bool pass = true;
  std::string detail;
};

// Compares nestling's run with the reference; prints one summary line.
Verdict compare(const std::string& name, const Run& run, const Table& ref, const std::vector<double>& ref_spikes) {
  Verdict v;
  std::ostringstream why;
  const double h = run.resolution;

  std::vector<double> ref_times, our_times;
  for (const auto& r : ref.rows) ref_times.push_back(r[0]);
  for (const auto& r : run.trace.rows) our_times.push_back(r[0]);
  const bool times_match = to_steps(ref_times, h) == to_steps(our_times, h);
  if (!times_match) {
    v.pass = false;
    why << " sample times differ (" << our_times.size() << " samples, reference " << ref_times.size() << ");";
  }

  const bool spikes_match = to_steps(ref_spikes, h) == to_steps(run.spike_times, h);
  if (!spikes_match) {
    v.pass = false;
    why << " spikes differ;";
  }

  double max_dv = 0.0;
  double worst_normalised = 0.0;
  std::string worst_column = "-";
  if (times_match) {
    for (std::size_t k = 1; k < ref.columns.size(); ++k) {
      double lo = std::numeric_limits<double>::infinity(), hi = -lo, max_diff = 0.0;
      for (std::size_t s = 0; s < ref.rows.size(); ++s) {
        const double want = ref.rows[s][k];
        lo = std::min(lo, want);
        hi = std::max(hi, want);
        const double diff = std::fabs(run.trace.rows[s][k] - want);
        max_diff = std::isnan(diff) ? std::numeric_limits<double>::infinity() : std::max(max_diff, diff);
      }
      if (ref.columns[k] == "V_m") {
        max_dv = max_diff;
        if (max_diff > v_m_tolerance) {
          v.pass = false;
          why << " V_m off by " << max_diff << " mV;";
        }
        continue;
      }
      const double range = hi - lo;
      // Deviation in units of the range; for a flat trace, in units that make the limit 1e-3 too.
      const double normalised = range > 0.0 ? max_diff / range : max_diff / flat_trace_tolerance * relative_tolerance;
      if (normalised > worst_normalised || worst_column == "-") {
        worst_normalised = normalised;
        worst_column = ref.columns[k];
      }
      if (normalised > relative_tolerance) {
        v.pass = false;
        why << " " << ref.columns[k] << " off by " << max_diff << (range > 0.0 ? " (range " : " (flat at ")
            << (range > 0.0 ? range : hi) << ");";
      }
    }
  }

  char line[256];
  std::snprintf(line, sizeof line, "%-18s max|dV_m| %.3e mV  worst other %-8s %.3e  spikes %s (%zu/%zu)  %s",
                name.c_str(), max_dv, worst_column.c_str(), worst_normalised, spikes_match ? "match" : "DIFFER",
                run.spike_times.size(), ref_spikes.size(), v.pass ? "PASS" : "FAIL");
  std::cout << line << "\n";
  if (!v.pass) std::cout << "    " << why.str() << "\n";
  v.detail = why.str();
  return v;
}

int check_ht_neuron(const std::string& ref_dir, const std::string& out_dir) {
  namespace fs = std::filesystem;
  const YAML::Node doc = YAML::LoadFile((fs::path(ref_dir) / "cases.yml").string());
  fs::create_directories(out_dir);
  std::cout << "ht_neuron reference check: V_m within " << v_m_tolerance << " mV, other recordables within "
            << relative_tolerance << " of their reference range (flat traces: " << flat_trace_tolerance
            << " absolute), identical spike and sample times\n";

  YAML::Emitter summary;
  summary << YAML::BeginMap << YAML::Key << "simulator" << YAML::Value << "nestling" << YAML::Key << "cases"
          << YAML::Value << YAML::BeginSeq;
  int failed = 0;
  for (const auto& c : doc["cases"]) {
    const std::string name = c["name"].as<std::string>();
    const std::string csv = c["csv"].as<std::string>();
    try {
      const Table ref = read_csv((fs::path(ref_dir) / csv).string());
      std::vector<double> ref_spikes;
      for (const auto& t : c["output_spike_times"]) ref_spikes.push_back(t.as<double>());
      const Run run = run_case(c, ref.columns);
      write_csv((fs::path(out_dir) / csv).string(), run.trace);
      summary << YAML::BeginMap << YAML::Key << "name" << YAML::Value << name << YAML::Key << "csv" << YAML::Value
              << csv << YAML::Key << "output_spike_times" << YAML::Value << YAML::Flow << YAML::BeginSeq;
      for (double t : run.spike_times) summary << shortest(t);
      summary << YAML::EndSeq << YAML::EndMap;
      if (!compare(name, run, ref, ref_spikes).pass) ++failed;
    } catch (const std::exception& e) {
      std::cout << name << ": error: " << e.what() << "\n";
      ++failed;
    }
  }
  summary << YAML::EndSeq << YAML::EndMap;
  std::ofstream((fs::path(out_dir) / "cases.yml").string()) << summary.c_str() << "\n";
  return failed;
}

const RegisterChecker registration("ht_neuron", check_ht_neuron);

}  // namespace
}  // namespace nestling::validation
