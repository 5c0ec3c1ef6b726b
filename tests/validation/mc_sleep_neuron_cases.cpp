// mc_sleep runners for the kinds `single_neuron` and `minis_statistics` (README of the
// reference data; spec mc-sleep §8). Both are generic over the case format: a further case of
// these kinds runs without new code.
//
// single_neuron: the shared single-neuron protocol (single_neuron_case.hpp) with the case's
// model. Passes with identical sample and spike times, every recorded column within 1e-6 of
// NEST (V_m in mV), the same min_delay after the run, and, where the case has
// stock_ht_neuron_output_spike_times, the same protocol on nestling's ht_neuron giving those.
//
// minis_statistics: a neuron driven on its MINI port by a poisson_generator through a parrot
// or by a regular spike_generator, one run per seed of the reference (nestling's single
// rng_seed = NEST's grng_seed) plus further seeds. Per run the statistics the reference lists
// per seed (V_m over the statistics window, spike and input counts). Passes when, for every
// statistic, nestling's mean over its seeds lies within 3 standard errors of NEST's mean, the
// standard error of the difference of the two means with the spread estimated from NEST's and
// nestling's per-seed values together (NEST's three seeds alone give too uncertain a spread);
// and when the runs at the reference's seeds give the same statistics at 1 and 2 threads.
#include <algorithm>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <numeric>
#include <set>
#include <sstream>

#include "nestling/simulator.hpp"
#include "tests/validation/mc_sleep_cases.hpp"
#include "tests/validation/single_neuron_case.hpp"

namespace nestling::validation::mc_sleep {
namespace {

namespace fs = std::filesystem;

constexpr double trace_tolerance = 1e-6;  // every recordable, V_m in mV
// Two-sided false-alarm probability of each statistic's two-sample t-test. The reference has
// three NEST seeds, so pooled sample variances are rough: a fixed 3 SE cut would fail a correct
// model in about one run of a hundred per statistic (t with 11 degrees of freedom).
constexpr double false_alarm = 1e-3;
constexpr int seeds_beyond_reference = 7;  // nestling runs the reference's seeds and these many more

// Spike times as the reference writes them: whole steps of h, so 791 steps of 0.1 ms are 79.1.
YAML::Node times_node(const std::vector<double>& times, double h) {
  const double steps_per_ms = std::round(1.0 / h);
  const bool whole = std::fabs(steps_per_ms * h - 1.0) < 1e-12;
  YAML::Node seq(YAML::NodeType::Sequence);
  for (double t : times) seq.push_back(shortest(whole ? static_cast<double>(std::llround(t / h)) / steps_per_ms : t));
  seq.SetStyle(YAML::EmitterStyle::Flow);
  return seq;
}

std::string format(const char* fmt, double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, x);
  return buf;
}

// ------------------------------------------------------------------------ single_neuron

CaseOutcome run_single_neuron_case(const YAML::Node& ref, const std::string& ref_dir, const std::string& out_dir) {
  const std::string csv = ref["csv"].as<std::string>();
  const Table want = read_csv((fs::path(ref_dir) / csv).string());
  const std::vector<double> want_spikes = doubles(ref["output_spike_times"]);
  const NeuronRun run = run_single_neuron(ref, want.columns);
  write_csv((fs::path(out_dir) / csv).string(), run.trace);
  const TraceComparison cmp = compare_trace(run, want, want_spikes);

  CaseOutcome out;
  out.results["csv"] = csv;
  out.results["output_spike_times"] = times_node(run.spike_times, run.resolution);
  out.results["min_delay_ms"] = shortest(run.min_delay_ms);
  std::ostringstream summary;
  bool pass = cmp.sample_times_match && cmp.spikes_match;
  if (!cmp.sample_times_match)
    summary << "sample times differ (" << run.trace.rows.size() << " samples, NEST " << want.rows.size() << "); ";
  double max_dv = 0.0, worst = 0.0;
  std::string worst_column = "-";
  for (const auto& col : cmp.columns) {
    pass = pass && col.max_abs <= trace_tolerance;
    if (col.name == "V_m") {
      max_dv = col.max_abs;
    } else if (col.max_abs >= worst) {
      worst = col.max_abs;
      worst_column = col.name;
    }
  }
  summary << "max|dV_m| " << format("%.3g", max_dv) << " mV, worst other " << worst_column << " "
          << format("%.3g", worst) << "; spikes " << (cmp.spikes_match ? "identical" : "DIFFER") << " ("
          << run.spike_times.size() << "/" << want_spikes.size() << ")";
  if (ref["min_delay_ms"]) {
    const bool same = std::llround(ref["min_delay_ms"].as<double>() / run.resolution) ==
                      std::llround(run.min_delay_ms / run.resolution);
    pass = pass && same;
    summary << "; min_delay " << shortest(run.min_delay_ms) << " ms" << (same ? "" : " DIFFERS");
  }
  if (const YAML::Node stock_ref = ref["stock_ht_neuron_output_spike_times"]) {
    const NeuronRun stock = run_single_neuron(ref, {"time", "V_m"}, {.model = "ht_neuron", .known_only = true});
    const std::vector<double> stock_want = doubles(stock_ref);
    const bool same = to_steps(stock.spike_times, stock.resolution) == to_steps(stock_want, stock.resolution);
    pass = pass && same;
    out.results["stock_ht_neuron_output_spike_times"] = times_node(stock.spike_times, stock.resolution);
    summary << "; stock ht_neuron spikes " << (same ? "identical" : "DIFFER") << " (" << stock.spike_times.size() << "/"
            << stock_want.size() << ")";
  }
  out.passed = pass;
  out.summary = summary.str();
  return out;
}

// ------------------------------------------------------------------------ minis_statistics

using Statistics = std::map<std::string, double>;

// Spike times (ms) strictly after `after_ms`, and the number of distinct steps among them.
std::pair<double, double> count_after(const std::vector<double>& times, double after_ms, double h) {
  std::set<long long> steps;
  double n = 0;
  for (double t : times)
    if (std::llround(t / h) > std::llround(after_ms / h)) {
      ++n;
      steps.insert(std::llround(t / h));
    }
  return {n, static_cast<double>(steps.size())};
}

// One run of a minis case; returns every statistic named in `keys`.
Statistics run_minis(const YAML::Node& c, const std::vector<std::string>& keys, std::uint64_t seed, int threads) {
  const double h = c["resolution_ms"].as<double>();
  Simulator sim;
  sim.set_kernel_status(
      {{"resolution", h}, {"local_num_threads", threads}, {"rng_seed", static_cast<long long>(seed)}});
  const NodeCollection neuron = sim.create(c["model"].as<std::string>(), 1, to_dict(c["neuron_params"]));
  const YAML::Node link = c["mini_connection"];
  SynSpec syn;
  const Value port = to_value(link["port"]);
  syn.receptor =
      port.is_int()
          ? static_cast<long>(port.as_int())
          : static_cast<long>(sim.get_status(neuron[0]).at("receptor_types").as_dict().at(port.as_string()).as_int());
  syn.weight = link["weight"].as<double>();
  syn.delay = link["delay_ms"].as<double>();

  const YAML::Node source = c["mini_source"];
  const std::string kind = source["kind"].as<std::string>();
  NodeCollection input_detector;
  if (kind == "poisson") {
    const NodeCollection pg = sim.create("poisson_generator", 1, {{"rate", source["rate_hz"].as<double>()}});
    const NodeCollection parrot = sim.create("parrot_neuron");
    input_detector = sim.create("spike_detector");
    sim.connect(pg, parrot);
    sim.connect(parrot, neuron, Rule::all_to_all, syn);
    sim.connect(parrot, input_detector);
  } else if (kind == "spike_generator") {
    std::vector<double> times;
    const double first = source["first_ms"].as<double>(), every = source["every_ms"].as<double>();
    const double last = source["last_ms"].as<double>();
    for (long k = 0; first + static_cast<double>(k) * every <= last + 0.5 * h; ++k)
      times.push_back(first + static_cast<double>(k) * every);
    sim.connect(sim.create("spike_generator", 1, {{"spike_times", times}}), neuron, Rule::all_to_all, syn);
  } else {
    throw std::runtime_error("unknown mini_source kind '" + kind + "'");
  }
  const NodeCollection mm = sim.create(
      "multimeter", 1, {{"interval", c["multimeter_interval_ms"].as<double>()}, {"record_from", List{"V_m"}}});
  const NodeCollection det = sim.create("spike_detector");
  sim.connect(mm, neuron);
  sim.connect(neuron, det);
  sim.simulate(c["simulate_ms"].as<double>());

  const std::vector<double> window = doubles(c["statistics_window_ms"]);
  const SampleData samples = sim.samples(mm[0]);
  std::vector<double> v;
  for (std::size_t k = 0; k < samples.times.size(); ++k) {
    const long long step = std::llround(samples.times[k] / h);
    if (step > std::llround(window.at(0) / h) && step <= std::llround(window.at(1) / h)) v.push_back(samples["V_m"][k]);
  }
  if (v.empty()) throw std::runtime_error("no samples in the statistics window");
  const double n = static_cast<double>(v.size());
  const double mean = std::accumulate(v.begin(), v.end(), 0.0) / n;
  double var = 0.0;
  for (double x : v) var += (x - mean) * (x - mean);
  const std::vector<double> inputs =
      input_detector.empty() ? std::vector<double>{} : sim.spikes(input_detector[0]).times;

  Statistics all = {{"samples", n},
                    {"V_m_mean", mean},
                    {"V_m_var", var / n},
                    {"V_m_min", *std::min_element(v.begin(), v.end())},
                    {"V_m_max", *std::max_element(v.begin(), v.end())},
                    {"neuron_spikes", static_cast<double>(sim.spikes(det[0]).times.size())}};
  Statistics out;
  for (const std::string& key : keys) {
    if (all.count(key)) {
      out[key] = all[key];
      continue;
    }
    // parrot_spikes_total, steps_with_mini_input, and both "_after_<t>ms"
    const bool steps = key.rfind("steps_with_mini_input", 0) == 0;
    const bool parrot = key.rfind("parrot_spikes", 0) == 0;
    if (!(steps || parrot) || input_detector.empty()) throw std::runtime_error("unknown statistic '" + key + "'");
    double after = -1.0;
    if (const auto at = key.find("_after_"); at != std::string::npos)
      after = std::stod(key.substr(at + 7, key.size() - at - 9));  // "<t>ms"
    const auto [spikes, distinct] = count_after(inputs, after, h);
    out[key] = steps ? distinct : spikes;
  }
  return out;
}

double mean_of(const std::vector<double>& x) {
  return std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.size());
}
double squares_about_mean(const std::vector<double>& x) {
  const double m = mean_of(x);
  double s = 0.0;
  for (double v : x) s += (v - m) * (v - m);
  return s;
}

CaseOutcome run_minis_statistics_case(const YAML::Node& ref, const std::string&, const std::string&) {
  const YAML::Node ref_seeds = ref["seeds"];
  if (!ref_seeds || ref_seeds.size() == 0) throw std::runtime_error("the case lists no seeds");
  std::vector<std::string> keys;
  for (const auto& kv : ref_seeds[0]) {
    const std::string key = kv.first.as<std::string>();
    if (key != "seed_grng" && key != "rng_seeds") keys.push_back(key);
  }
  std::vector<std::uint64_t> seeds;
  for (const auto& s : ref_seeds) seeds.push_back(s["seed_grng"].as<std::uint64_t>());
  for (int k = 1; k <= seeds_beyond_reference; ++k) seeds.push_back(1000 + static_cast<std::uint64_t>(k));

  CaseOutcome out;
  bool pass = true, threads_agree = true;
  std::map<std::string, std::vector<double>> ours, nest;
  YAML::Node seed_list(YAML::NodeType::Sequence);
  for (std::size_t k = 0; k < seeds.size(); ++k) {
    const std::uint64_t seed = seeds[k];
    const Statistics one = run_minis(ref, keys, seed, 1);
    if (k < ref_seeds.size()) threads_agree = threads_agree && run_minis(ref, keys, seed, 2) == one;
    YAML::Node entry;
    entry["seed_grng"] = seed;
    for (const std::string& key : keys) {
      // Counts stay integers where the reference writes them so.
      if (to_value(ref_seeds[0][key]).is_int())
        entry[key] = static_cast<long long>(std::llround(one.at(key)));
      else
        entry[key] = shortest(one.at(key));
      ours[key].push_back(one.at(key));
    }
    seed_list.push_back(entry);
  }
  for (const auto& s : ref_seeds)
    for (const std::string& key : keys) nest[key].push_back(s[key].as<double>());

  std::ostringstream summary;
  for (const std::string& key : keys) {
    const std::vector<double>&a = ours[key], &b = nest[key];
    const double dof = static_cast<double>(a.size() + b.size()) - 2.0;
    const double spread = dof > 0 ? std::sqrt((squares_about_mean(a) + squares_about_mean(b)) / dof) : 0.0;
    const double se = spread * std::sqrt(1.0 / static_cast<double>(a.size()) + 1.0 / static_cast<double>(b.size()));
    const double diff = mean_of(a) - mean_of(b);
    const double limit =
        dof > 0 ? boost::math::quantile(boost::math::complement(boost::math::students_t(dof), false_alarm / 2)) : 0.0;
    const bool ok = std::fabs(diff) <= limit * se;
    pass = pass && ok;
    summary << key << " " << format("%.6g", mean_of(a)) << " vs " << format("%.6g", mean_of(b));
    if (se > 0.0) summary << " (" << format("%+.2f", diff / se) << " SE of " << format("%.2f", limit) << ")";
    summary << (ok ? "" : " OUTSIDE") << "; ";
  }
  summary << seeds.size() << " seeds; 1 and 2 threads " << (threads_agree ? "identical" : "DIFFER") << " at "
          << ref_seeds.size() << " seeds";
  out.results["seeds"] = seed_list;
  out.passed = pass && threads_agree;
  out.summary = summary.str();
  return out;
}

const RegisterCaseRunner single_neuron_registration("single_neuron", run_single_neuron_case);
const RegisterCaseRunner minis_registration("minis_statistics", run_minis_statistics_case);

}  // namespace
}  // namespace nestling::validation::mc_sleep
