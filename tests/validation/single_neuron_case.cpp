#include "tests/validation/single_neuron_case.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "nestling/simulator.hpp"

namespace nestling::validation {

std::vector<double> doubles(const YAML::Node& seq) {
  std::vector<double> out;
  if (seq && seq.IsSequence())
    for (const auto& x : seq) out.push_back(x.as<double>());
  return out;
}

std::vector<long long> to_steps(const std::vector<double>& times_ms, double resolution) {
  std::vector<long long> steps;
  for (double t : times_ms) steps.push_back(std::llround(t / resolution));
  return steps;
}

Dict kernel_params_for_nestling(const YAML::Node& kernel_params) {
  Dict d = to_dict(kernel_params);
  Dict out;
  for (const auto& [key, value] : d) {
    if (key == "rng_seeds") continue;
    out.set(key == "grng_seed" ? "rng_seed" : key, value);
  }
  return out;
}

namespace {

// The receptor port of a spike input: its `receptor` by name (or number); a `port` given beside
// a name must agree with the model's numbering. Returns 0 if the model lacks the receptor.
long receptor_port(const YAML::Node& input, const Dict& receptors) {
  const Value named = to_value(input["receptor"]);
  if (named.is_int()) return static_cast<long>(named.as_int());
  const std::string name = input["receptor"].as<std::string>();
  if (!receptors.contains(name)) return 0;
  const long port = static_cast<long>(receptors.at(name).as_int());
  if (input["port"] && input["port"].as<long>() != port)
    throw std::runtime_error("receptor " + name + " is port " + std::to_string(port) + ", the case says " +
                             input["port"].as<std::string>());
  return port;
}

}  // namespace

NeuronRun run_single_neuron(const YAML::Node& c, const std::vector<std::string>& columns,
                            const NeuronRunOptions& options) {
  NeuronRun run;
  run.resolution = c["resolution_ms"].as<double>();
  const std::string model = !options.model.empty() ? options.model
                            : c["model"]           ? c["model"].as<std::string>()
                                                   : "ht_neuron";
  Simulator sim;
  sim.set_kernel_status({{"resolution", run.resolution}});
  if (c["kernel_params"]) sim.set_kernel_status(kernel_params_for_nestling(c["kernel_params"]));

  Dict params = to_dict(c["neuron_params"]);
  if (options.known_only) {
    const Dict defaults = sim.get_defaults(model);
    Dict known;
    for (const auto& [key, value] : params)
      if (defaults.contains(key)) known.set(key, value);
    params = known;
  }
  const NodeCollection neuron = sim.create(model, 1, params);
  const Dict receptors = sim.get_status(neuron[0]).at("receptor_types").as_dict();

  for (const auto& input : c["spike_inputs"]) {
    const long port = receptor_port(input, receptors);
    if (port == 0) {
      if (options.known_only) continue;
      throw std::runtime_error(model + " has no receptor " + input["receptor"].as<std::string>());
    }
    const NodeCollection gen = sim.create("spike_generator", 1, {{"spike_times", doubles(input["spike_times"])}});
    SynSpec syn;
    syn.weight = input["weight"].as<double>();
    syn.delay = input["delay_ms"].as<double>();
    syn.receptor = port;
    sim.connect(gen, neuron, Rule::all_to_all, syn);
  }
  for (const char* device : {"dc_generator", "step_current_generator"}) {
    const YAML::Node given = c[device];
    if (!given || given.IsNull()) continue;
    Dict device_params = to_dict(given);
    SynSpec syn;
    syn.delay = 1.0;  // NEST's default
    if (device_params.contains("delay_ms")) {
      syn.delay = device_params.at("delay_ms").as_double();
      device_params.erase("delay_ms");
    }
    sim.connect(sim.create(device, 1, device_params), neuron, Rule::all_to_all, syn);
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
  run.min_delay_ms = sim.kernel_status().at("min_delay").as_double();
  return run;
}

const TraceComparison::Column* TraceComparison::column(const std::string& name) const {
  for (const auto& c : columns)
    if (c.name == name) return &c;
  return nullptr;
}

TraceComparison compare_trace(const NeuronRun& run, const Table& ref, const std::vector<double>& ref_spikes) {
  TraceComparison out;
  const double h = run.resolution;
  std::vector<double> ref_times, our_times;
  for (const auto& r : ref.rows) ref_times.push_back(r[0]);
  for (const auto& r : run.trace.rows) our_times.push_back(r[0]);
  out.sample_times_match = to_steps(ref_times, h) == to_steps(our_times, h);
  out.spikes_match = to_steps(ref_spikes, h) == to_steps(run.spike_times, h);
  if (!out.sample_times_match) return out;
  for (std::size_t k = 1; k < ref.columns.size(); ++k) {
    const std::size_t ours = run.trace.column(ref.columns[k]);
    TraceComparison::Column col{ref.columns[k], 0.0, std::numeric_limits<double>::infinity(),
                                -std::numeric_limits<double>::infinity()};
    for (std::size_t s = 0; s < ref.rows.size(); ++s) {
      const double want = ref.rows[s][k];
      col.lo = std::min(col.lo, want);
      col.hi = std::max(col.hi, want);
      const double diff = std::fabs(run.trace.rows[s][ours] - want);
      col.max_abs = std::isnan(diff) ? std::numeric_limits<double>::infinity() : std::max(col.max_abs, diff);
    }
    out.columns.push_back(col);
  }
  return out;
}

}  // namespace nestling::validation
