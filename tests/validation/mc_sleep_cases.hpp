// The `mc_sleep` reference check runs every case of a cases.yml by its `kind` (single_neuron,
// minis_statistics, gap_pair, tsodyks2, sinusoidal_poisson_counts, ...). Each kind is a runner
// registered under its name, in its own file; the driver (mc_sleep_check.cpp) calls them and
// writes OUT_DIR/cases.yml. A kind without a runner is reported as not run.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "tests/validation/reference_util.hpp"

namespace nestling::validation::mc_sleep {

struct CaseOutcome {
  // The case's results under the reference's key names (output_spike_times, min_delay_ms, seeds,
  // statistics, ...); written into OUT_DIR/cases.yml beside name and kind.
  YAML::Node results;
  bool passed = false;
  std::string summary;  // one line: what was compared and the measured deviations
};

// `ref` is the case's entry in REF_DIR/cases.yml. A runner writes the case's CSV files (same
// names and columns as the reference's) under out_dir and compares them with those in ref_dir.
using CaseRunner =
    std::function<CaseOutcome(const YAML::Node& ref, const std::string& ref_dir, const std::string& out_dir)>;

std::map<std::string, CaseRunner>& case_runners();

struct RegisterCaseRunner {
  RegisterCaseRunner(const std::string& kind, CaseRunner runner) { case_runners()[kind] = std::move(runner); }
};

}  // namespace nestling::validation::mc_sleep
