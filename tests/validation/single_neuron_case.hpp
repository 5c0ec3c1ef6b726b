// The single-neuron reference protocol that the ht_neuron and mc_sleep checks share.
//
// A case (a mapping of a reference cases.yml) is run through the public API as NEST ran it:
// one neuron of the case's model with neuron_params, one spike_generator per spike_inputs
// entry (static_synapse to the named receptor, with the entry's weight and delay), an optional
// dc_generator / step_current_generator on port 0 (delay_ms in its mapping, else NEST's 1 ms),
// a multimeter recording the given columns every multimeter_interval_ms, and a spike_detector.
// kernel_params, where present, are set after the resolution. Nothing here knows a case.
#pragma once

#include <string>
#include <vector>

#include "tests/validation/reference_util.hpp"

namespace nestling::validation {

struct NeuronRun {
  Table trace;                      // time, then the requested columns
  std::vector<double> spike_times;  // ms
  double resolution = 0.1;          // ms
  double min_delay_ms = 0.0;        // the kernel's after the run
};

struct NeuronRunOptions {
  std::string model;  // empty: the case's `model`, else ht_neuron
  // Leave out neuron_params and spike inputs the model does not have (runs a case of another
  // model's protocol on, e.g., stock ht_neuron).
  bool known_only = false;
};

NeuronRun run_single_neuron(const YAML::Node& c, const std::vector<std::string>& columns,
                            const NeuronRunOptions& options = {});

// NEST kernel parameters as nestling takes them: NEST's per-thread seeds (grng_seed,
// rng_seeds) become the single rng_seed (grng_seed if given).
Dict kernel_params_for_nestling(const YAML::Node& kernel_params);

// How a run deviates from the reference.
struct TraceComparison {
  struct Column {
    std::string name;
    double max_abs = 0.0;       // largest |nestling − reference|; infinity for a NaN
    double lo = 0.0, hi = 0.0;  // range of the reference trace
  };
  bool sample_times_match = false;  // compared in steps
  bool spikes_match = false;        // compared in steps
  std::vector<Column> columns;      // every column but time, if the sample times match
  const Column* column(const std::string& name) const;
};
TraceComparison compare_trace(const NeuronRun& run, const Table& ref, const std::vector<double>& ref_spikes);

// Times in ms as whole steps of `resolution`.
std::vector<long long> to_steps(const std::vector<double>& times_ms, double resolution);
// A YAML sequence of numbers.
std::vector<double> doubles(const YAML::Node& seq);

}  // namespace nestling::validation
