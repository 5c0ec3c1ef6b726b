// mc_sleep runner for the kind `gap_pair` (README of the reference data; spec mc-sleep §1.7, §3):
// two neurons of the case's model joined by gap_junction (the case's rule, make_symmetric and
// weight), a dc_generator into neuron 1, optional spike inputs per neuron (1-based), a multimeter
// recording every recordable of both and a spike detector. Generic over the case format.
//
// Passes with identical sample times and per-neuron spike times, every column within 1e-6 of
// NEST (V_m in mV), the same min_delay, waveform-relaxation settings and connection count, and
// with neuron 2's recorded I_gap equal to weight·scale·(V_m of neuron 1 at the end of the previous
// min_delay slice − V_m of neuron 2) to 1e-8 outside its own spike steps (the coupling NEST
// computes for these neurons).
#include <cmath>
#include <filesystem>
#include <sstream>

#include "nestling/simulator.hpp"
#include "tests/validation/mc_sleep_cases.hpp"
#include "tests/validation/single_neuron_case.hpp"

namespace nestling::validation::mc_sleep {
namespace {

namespace fs = std::filesystem;

constexpr double trace_tolerance = 1e-6;     // every recordable, V_m in mV
constexpr double coupling_tolerance = 1e-8;  // I_gap against the one-slice-lagged coupling

struct PairRun {
  NeuronRun run;                            // trace with columns <recordable>_1, <recordable>_2
  std::vector<std::vector<double>> spikes;  // per neuron, ms
  double min_delay_ms = 0.0;
  Dict kernel;
};

PairRun run_pair(const YAML::Node& c, const std::vector<std::string>& recordables) {
  PairRun out;
  const double h = c["resolution_ms"].as<double>();
  out.run.resolution = h;
  Simulator sim;
  sim.set_kernel_status({{"resolution", h}});
  if (c["kernel_params"]) sim.set_kernel_status(kernel_params_for_nestling(c["kernel_params"]));
  const NodeCollection pair = sim.create(c["model"].as<std::string>(), 2, to_dict(c["neuron_params"]));
  auto neuron = [&](const YAML::Node& n) { return NodeCollection(std::vector<NodeId>{pair[n.as<std::size_t>() - 1]}); };

  const YAML::Node gap = c["gap_junction"];
  const std::string rule = gap["rule"].as<std::string>();
  if (rule != "one_to_one") throw std::runtime_error("gap_junction rule '" + rule + "' is not one_to_one");
  SynSpec coupling;
  coupling.model = "gap_junction";
  coupling.weight = gap["weight"].as<double>();
  sim.connect(NodeCollection(std::vector<NodeId>{pair[0]}), NodeCollection(std::vector<NodeId>{pair[1]}),
              ConnSpec{Rule::one_to_one, gap["make_symmetric"].as<bool>()}, coupling);

  if (const YAML::Node dc = c["dc_generator_into_neuron_1"]; dc && !dc.IsNull()) {
    Dict params = to_dict(dc);
    SynSpec syn;
    syn.delay = params.contains("delay_ms") ? params.at("delay_ms").as_double() : 1.0;  // NEST's default
    params.erase("delay_ms");
    sim.connect(sim.create("dc_generator", 1, params), NodeCollection(std::vector<NodeId>{pair[0]}),
                Rule::all_to_all, syn);
  }
  for (const auto& input : c["spike_inputs"]) {
    const NodeCollection target = neuron(input["neuron"]);
    const Dict ports = sim.get_status(target[0]).at("receptor_types").as_dict();
    SynSpec syn;
    syn.weight = input["weight"].as<double>();
    syn.delay = input["delay_ms"].as<double>();
    syn.receptor = static_cast<long>(ports.at(input["receptor"].as<std::string>()).as_int());
    sim.connect(sim.create("spike_generator", 1, {{"spike_times", doubles(input["spike_times"])}}), target,
                Rule::all_to_all, syn);
  }
  const List record_from(recordables.begin(), recordables.end());
  const NodeCollection mm =
      sim.create("multimeter", 1, {{"interval", c["multimeter_interval_ms"].as<double>()}, {"record_from", record_from}});
  const NodeCollection det = sim.create("spike_detector");
  sim.connect(mm, pair);
  sim.connect(pair, det);
  sim.simulate(c["simulate_ms"].as<double>());

  // One row per sample time: neuron 1's values, then neuron 2's.
  const SampleData samples = sim.samples(mm[0]);
  out.run.trace.columns = {"time"};
  for (int n : {1, 2})
    for (const auto& r : recordables) out.run.trace.columns.push_back(r + "_" + std::to_string(n));
  for (std::size_t s = 0; s < samples.times.size(); ++s) {
    const std::size_t n = samples.senders[s] == pair[0] ? 0 : 1;
    if (n == 0) out.run.trace.rows.push_back({samples.times[s]});
    auto& row = out.run.trace.rows.back();
    row.resize(1 + 2 * recordables.size());
    for (std::size_t k = 0; k < recordables.size(); ++k) row[1 + n * recordables.size() + k] = samples[recordables[k]][s];
  }
  const SpikeData spikes = sim.spikes(det[0]);
  out.spikes.resize(2);
  for (std::size_t s = 0; s < spikes.times.size(); ++s)
    out.spikes[spikes.senders[s] == pair[0] ? 0 : 1].push_back(spikes.times[s]);
  out.kernel = sim.kernel_status();
  out.min_delay_ms = out.kernel.at("min_delay").as_double();
  return out;
}

// Largest |I_gap_2 − w·scale·(V_1(end of the previous slice) − V_2)| outside neuron 2's spike steps.
double coupling_deviation(const PairRun& p, const YAML::Node& c) {
  const Table& t = p.run.trace;
  const double h = p.run.resolution;
  const auto slice = std::llround(p.min_delay_ms / h);
  const double w = c["gap_junction"]["weight"].as<double>();
  const YAML::Node scale_node = c["neuron_params"]["g_gap_scale_factor"];
  const double scale = scale_node ? scale_node.as<double>() : 1.0;
  const std::size_t v1 = t.column("V_m_1"), v2 = t.column("V_m_2"), i2 = t.column("I_gap_2");
  const auto spike_steps = to_steps(p.spikes[1], h);
  double worst = 0.0;
  for (std::size_t s = 0; s < t.rows.size(); ++s) {
    const long long step = std::llround(t.rows[s][0] / h);  // the sample closes step `step`
    const long long prev_end = (step - 1) / slice * slice;  // last step of the previous slice
    if (prev_end == 0 || std::find(spike_steps.begin(), spike_steps.end(), step) != spike_steps.end()) continue;
    const std::size_t at = static_cast<std::size_t>(prev_end - std::llround(t.rows[0][0] / h));
    if (at >= t.rows.size() || std::llround(t.rows[at][0] / h) != prev_end) continue;  // not sampled then
    worst = std::max(worst, std::fabs(t.rows[s][i2] - w * scale * (t.rows[at][v1] - t.rows[s][v2])));
  }
  return worst;
}

CaseOutcome run_gap_pair_case(const YAML::Node& ref, const std::string& ref_dir, const std::string& out_dir) {
  const std::string csv = ref["csv"].as<std::string>();
  const Table want = read_csv((fs::path(ref_dir) / csv).string());
  std::vector<std::string> recordables;
  for (const auto& r : ref["recordables"]) recordables.push_back(r.as<std::string>());
  const PairRun p = run_pair(ref, recordables);
  write_csv((fs::path(out_dir) / csv).string(), p.run.trace);
  const TraceComparison cmp = compare_trace(p.run, want, {});
  const double h = p.run.resolution;

  CaseOutcome out;
  std::ostringstream summary;
  bool pass = cmp.sample_times_match;
  if (!cmp.sample_times_match) summary << "sample times differ; ";
  double max_dv = 0.0, worst = 0.0;
  std::string worst_column = "-";
  for (const auto& col : cmp.columns) {
    pass = pass && col.max_abs <= trace_tolerance;
    if (col.name.rfind("V_m_", 0) == 0) {
      max_dv = std::max(max_dv, col.max_abs);
    } else if (col.max_abs >= worst) {
      worst = col.max_abs;
      worst_column = col.name;
    }
  }
  out.results["csv"] = csv;
  YAML::Node spikes_out;
  summary << "max|dV_m| " << max_dv << " mV, worst other " << worst_column << " " << worst << "; spikes";
  for (int n : {1, 2}) {
    const std::string key = std::to_string(n);
    const auto want_spikes = doubles(ref["output_spike_times"][key]);
    const bool same = to_steps(want_spikes, h) == to_steps(p.spikes[n - 1], h);
    pass = pass && same;
    YAML::Node seq(YAML::NodeType::Sequence);
    for (double t : p.spikes[n - 1]) seq.push_back(shortest(static_cast<double>(std::llround(t / h)) * h));
    seq.SetStyle(YAML::EmitterStyle::Flow);
    spikes_out[key] = seq;
    summary << " " << key << ": " << p.spikes[n - 1].size() << "/" << want_spikes.size() << (same ? "" : " DIFFER");
  }
  out.results["output_spike_times"] = spikes_out;

  // Kernel facts the reference records.
  auto same_steps = [&](double a, double b) { return std::llround(a / h) == std::llround(b / h); };
  const bool min_delay_ok = same_steps(p.min_delay_ms, ref["min_delay_ms"].as<double>());
  const bool wfr_ok = p.kernel.at("use_wfr").as_bool() == ref["use_wfr"].as<bool>() &&
                      same_steps(p.kernel.at("wfr_comm_interval").as_double(), ref["wfr_comm_interval_ms"].as<double>()) &&
                      p.kernel.at("wfr_interpolation_order").as_int() == ref["wfr_interpolation_order"].as<long>();
  const long connections = static_cast<long>(p.kernel.at("num_connections").as_int());
  const bool connections_ok = connections == ref["num_connections"].as<long>();
  pass = pass && min_delay_ok && wfr_ok && connections_ok;
  out.results["min_delay_ms"] = shortest(p.min_delay_ms);
  out.results["use_wfr"] = p.kernel.at("use_wfr").as_bool();
  out.results["wfr_comm_interval_ms"] = shortest(p.kernel.at("wfr_comm_interval").as_double());
  out.results["wfr_interpolation_order"] = p.kernel.at("wfr_interpolation_order").as_int();
  YAML::Node wfr_nodes(YAML::NodeType::Sequence);  // nestling's models never iterate
  wfr_nodes.push_back(false);
  wfr_nodes.push_back(false);
  wfr_nodes.SetStyle(YAML::EmitterStyle::Flow);
  out.results["node_uses_wfr"] = wfr_nodes;
  out.results["num_connections"] = connections;
  summary << "; min_delay " << shortest(p.min_delay_ms) << " ms" << (min_delay_ok ? "" : " DIFFERS")
          << (wfr_ok ? "" : "; wfr settings DIFFER") << "; " << connections << " connections"
          << (connections_ok ? "" : " DIFFER");

  const double coupling = coupling_deviation(p, ref);
  pass = pass && coupling <= coupling_tolerance;
  out.results["coupling_max_deviation"] = shortest(coupling);
  summary << "; I_gap_2 vs lagged coupling " << coupling;
  out.passed = pass;
  out.summary = summary.str();
  return out;
}

const RegisterCaseRunner registration("gap_pair", run_gap_pair_case);

}  // namespace
}  // namespace nestling::validation::mc_sleep
