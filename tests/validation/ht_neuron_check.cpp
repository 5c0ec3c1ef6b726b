// Reference check `ht_neuron`: single-neuron protocols against NEST 2.20.2 (REF_DIR/cases.yml).
//
// Every case is run through the public API as NEST ran it (single_neuron_case.hpp: one
// ht_neuron, its spike generators and current sources, a multimeter recording the columns of
// the reference CSV, a spike_detector). Nothing here knows a particular case.
//
// A case passes when
//   * the sample times equal the reference's (compared in steps),
//   * the output spike times equal NEST's (compared in steps),
//   * |ΔV_m| ≤ 0.05 mV at every sample,
//   * every other column deviates by at most 1e-3 × (max − min) of its reference trace; a
//     flat reference trace (max = min) allows 1e-9 in absolute terms, which covers the ten
//     significant digits the reference CSVs are written with.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "tests/validation/reference_check.hpp"
#include "tests/validation/reference_util.hpp"
#include "tests/validation/single_neuron_case.hpp"

namespace nestling::validation {
namespace {

constexpr double v_m_tolerance = 0.05;         // mV
constexpr double relative_tolerance = 1e-3;    // of the reference trace's range
constexpr double flat_trace_tolerance = 1e-9;  // absolute, for constant reference traces

struct Verdict {
  bool pass = true;
  std::string detail;
};

// Applies this check's tolerances to the deviations; prints one summary line.
Verdict judge(const std::string& name, const NeuronRun& run, const Table& ref, const std::vector<double>& ref_spikes) {
  Verdict v;
  std::ostringstream why;
  const TraceComparison cmp = compare_trace(run, ref, ref_spikes);
  if (!cmp.sample_times_match) {
    v.pass = false;
    why << " sample times differ (" << run.trace.rows.size() << " samples, reference " << ref.rows.size() << ");";
  }
  if (!cmp.spikes_match) {
    v.pass = false;
    why << " spikes differ;";
  }

  double max_dv = 0.0;
  double worst_normalised = 0.0;
  std::string worst_column = "-";
  for (const auto& col : cmp.columns) {
    if (col.name == "V_m") {
      max_dv = col.max_abs;
      if (col.max_abs > v_m_tolerance) {
        v.pass = false;
        why << " V_m off by " << col.max_abs << " mV;";
      }
      continue;
    }
    const double range = col.hi - col.lo;
    // Deviation in units of the range; for a flat trace, in units that make the limit 1e-3 too.
    const double normalised =
        range > 0.0 ? col.max_abs / range : col.max_abs / flat_trace_tolerance * relative_tolerance;
    if (normalised > worst_normalised || worst_column == "-") {
      worst_normalised = normalised;
      worst_column = col.name;
    }
    if (normalised > relative_tolerance) {
      v.pass = false;
      why << " " << col.name << " off by " << col.max_abs << (range > 0.0 ? " (range " : " (flat at ")
          << (range > 0.0 ? range : col.hi) << ");";
    }
  }

  char line[256];
  std::snprintf(line, sizeof line, "%-18s max|dV_m| %.3e mV  worst other %-8s %.3e  spikes %s (%zu/%zu)  %s",
                name.c_str(), max_dv, worst_column.c_str(), worst_normalised, cmp.spikes_match ? "match" : "DIFFER",
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
      const std::vector<double> ref_spikes = doubles(c["output_spike_times"]);
      const NeuronRun run = run_single_neuron(c, ref.columns);
      write_csv((fs::path(out_dir) / csv).string(), run.trace);
      summary << YAML::BeginMap << YAML::Key << "name" << YAML::Value << name << YAML::Key << "csv" << YAML::Value
              << csv << YAML::Key << "output_spike_times" << YAML::Value << YAML::Flow << YAML::BeginSeq;
      for (double t : run.spike_times) summary << shortest(t);
      summary << YAML::EndSeq << YAML::EndMap;
      if (!judge(name, run, ref, ref_spikes).pass) ++failed;
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
