// mc_sleep runners for the input side of the sleep model (mc-sleep spec §2, §4):
//
// * `tsodyks2`: spike_generator → parrot_neuron → the case's neuron, one parrot per entry of
//   `synapses`, each over a copy (`synapse_model`) of `base` with `params`, all logging to one
//   weight_recorder. Writes `weights_csv` (synapse, sender, time, weight) and, when the case's
//   neuron model is built in, `csv` (the multimeter trace of `recordables`). Weights must equal
//   NEST's to 1e-9, the trace to 1e-6. Without the neuron model the weights are measured onto a
//   parrot_neuron instead (they do not depend on the target) and the trace is not compared.
// * `sinusoidal_poisson_counts`: one sinusoidal_poisson_generator per `statistics` entry
//   (individual_spike_trains_true/false, as model copies) → `parrots_per_generator` parrots,
//   run at 1 and 2 threads. Writes `csv` (parrot spike counts per bin) and `statistics` under the
//   reference's keys. Totals must lie within 3 standard errors of their difference from NEST's
//   (both are Poisson counts), the identical-trains
//   flags equal NEST's, no spike may precede the window's first step, the correlation of the
//   binned counts with the expected rate must agree with NEST's (Fisher z within 3 standard
//   errors), and both thread counts must give the same statistics.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <numbers>
#include <regex>
#include <sstream>

#include "nestling/simulator.hpp"
#include "tests/validation/mc_sleep_cases.hpp"

namespace nestling::validation::mc_sleep {
namespace {

namespace fs = std::filesystem;

constexpr double weight_tolerance = 1e-9;
constexpr double trace_tolerance = 1e-6;
constexpr double standard_errors = 3.0;

std::string format(const char* fmt, double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, x);
  return buf;
}

bool has_model(const Simulator& sim, const std::string& model) {
  const auto models = sim.node_models();
  return std::find(models.begin(), models.end(), model) != models.end();
}

std::vector<double> doubles(const YAML::Node& list) {
  std::vector<double> out;
  for (const auto& x : list) out.push_back(x.as<double>());
  return out;
}

// ---------------------------------------------------------------------------------------------
// tsodyks2

struct WeightRow {
  std::string synapse;
  long sender = 0;
  double time = 0.0;
  double weight = 0.0;
};

std::vector<WeightRow> read_weights(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::string line;
  std::getline(in, line);
  if (line != "synapse,sender,time,weight") throw std::runtime_error(path + ": unexpected header '" + line + "'");
  std::vector<WeightRow> rows;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::stringstream cells(line);
    std::string synapse, sender, time, weight;
    if (!std::getline(cells, synapse, ',') || !std::getline(cells, sender, ',') || !std::getline(cells, time, ',') ||
        !std::getline(cells, weight))
      throw std::runtime_error(path + ": malformed row '" + line + "'");
    rows.push_back({synapse, std::stol(sender), std::stod(time), std::stod(weight)});
  }
  return rows;
}

void write_weights(const std::string& path, const std::vector<WeightRow>& rows) {
  std::ofstream out(path);
  if (!out) throw std::runtime_error("cannot write " + path);
  out << "synapse,sender,time,weight\n";
  for (const auto& r : rows) out << r.synapse << "," << r.sender << format(",%.4f", r.time) << format(",%.12g", r.weight) << "\n";
}

struct Tsodyks2Run {
  std::vector<WeightRow> weights;
  Table trace;  // empty without the neuron model
};

Tsodyks2Run run_tsodyks2(const YAML::Node& c, bool with_neuron) {
  Simulator sim;
  sim.set_kernel_status({{"resolution", c["resolution_ms"].as<double>()}});
  // Creation order as in the reference: neuron, multimeter, weight_recorder, then a
  // (spike_generator, parrot) pair per synapse, so that the senders' ids agree.
  const std::string target_model = with_neuron ? c["model"].as<std::string>() : "parrot_neuron";
  const Dict target_params = with_neuron ? to_dict(c["neuron_params"]) : Dict{};
  const NodeCollection neuron = sim.create(target_model, 1, target_params);
  List record_from;
  for (const auto& r : c["recordables"]) record_from.push_back(Value(r.as<std::string>()));
  Dict mm_params;
  if (with_neuron) mm_params = {{"interval", c["multimeter_interval_ms"].as<double>()}, {"record_from", record_from}};
  const NodeCollection mm = sim.create("multimeter", 1, mm_params);
  const NodeCollection wr = sim.create("weight_recorder");
  if (with_neuron) sim.connect(mm, neuron);

  std::map<NodeId, std::string> synapse_of_sender;
  for (const auto& s : c["synapses"]) {
    const std::string name = s["synapse_model"].as<std::string>();
    Dict params = to_dict(s["params"]);
    params.set("weight_recorder", static_cast<long>(wr[0]));
    sim.copy_model(s["base"].as<std::string>(), name, params);
    const NodeCollection gen = sim.create("spike_generator", 1, {{"spike_times", doubles(s["spike_times"])}});
    const NodeCollection parrot = sim.create("parrot_neuron");
    sim.connect(gen, parrot);
    SynSpec syn;
    syn.model = name;
    syn.weight = s["weight"].as<double>();
    syn.delay = s["delay_ms"].as<double>();
    if (with_neuron) {
      const Value receptor = to_value(s["receptor"]);
      if (receptor.is_int()) syn.receptor = static_cast<long>(receptor.as_int());
      else syn.receptor_name = receptor.as_string();
    }
    sim.connect(parrot, neuron, Rule::all_to_all, syn);
    synapse_of_sender[parrot[0]] = name;
  }
  sim.simulate(c["simulate_ms"].as<double>());

  Tsodyks2Run run;
  const WeightData w = sim.weights(wr[0]);
  for (std::size_t k = 0; k < w.weights.size(); ++k)
    run.weights.push_back(
        {synapse_of_sender.at(w.senders[k]), static_cast<long>(w.senders[k]), w.times[k], w.weights[k]});
  // By synapse in the case's order, then time (the reference's layout).
  std::vector<std::string> order;
  for (const auto& s : c["synapses"]) order.push_back(s["synapse_model"].as<std::string>());
  std::stable_sort(run.weights.begin(), run.weights.end(), [&](const WeightRow& a, const WeightRow& b) {
    const auto ia = std::find(order.begin(), order.end(), a.synapse), ib = std::find(order.begin(), order.end(), b.synapse);
    return ia != ib ? ia < ib : a.time < b.time;
  });
  if (with_neuron) {
    const SampleData samples = sim.samples(mm[0]);
    run.trace.columns = {"time"};
    for (const auto& r : record_from) run.trace.columns.push_back(r.as_string());
    for (std::size_t s = 0; s < samples.times.size(); ++s) {
      std::vector<double> row{samples.times[s]};
      for (std::size_t k = 1; k < run.trace.columns.size(); ++k) row.push_back(samples[run.trace.columns[k]][s]);
      run.trace.rows.push_back(std::move(row));
    }
  }
  return run;
}

// Largest |Δ| over all columns but time, with the column it occurs in; infinite (and `worst`
// says why) if the tables do not line up.
double max_trace_deviation(const Table& ours, const Table& ref, double h, std::string& worst) {
  constexpr double misaligned = std::numeric_limits<double>::infinity();
  if (ours.columns != ref.columns) return worst = "columns differ", misaligned;
  if (ours.rows.size() != ref.rows.size())
    return worst = std::to_string(ours.rows.size()) + " samples, reference " + std::to_string(ref.rows.size()), misaligned;
  double max_diff = 0.0;
  for (std::size_t r = 0; r < ref.rows.size(); ++r) {
    if (std::llround(ours.rows[r][0] / h) != std::llround(ref.rows[r][0] / h))
      return worst = "sample times differ", misaligned;
    for (std::size_t k = 1; k < ref.columns.size(); ++k) {
      const double d = std::fabs(ours.rows[r][k] - ref.rows[r][k]);
      if (!(d <= max_diff)) {
        max_diff = std::isnan(d) ? misaligned : d;
        worst = ref.columns[k];
      }
    }
  }
  return max_diff;
}

CaseOutcome run_tsodyks2_case(const YAML::Node& c, const std::string& ref_dir, const std::string& out_dir) {
  const std::string model = c["model"].as<std::string>();
  const bool with_neuron = has_model(Simulator(), model);
  const Tsodyks2Run run = run_tsodyks2(c, with_neuron);
  const std::string weights_csv = c["weights_csv"].as<std::string>();
  write_weights((fs::path(out_dir) / weights_csv).string(), run.weights);

  CaseOutcome out;
  out.passed = true;
  std::ostringstream summary;
  const std::vector<WeightRow> ref = read_weights((fs::path(ref_dir) / weights_csv).string());
  const double h = c["resolution_ms"].as<double>();
  double max_dw = 0.0;
  bool rows_match = ref.size() == run.weights.size(), senders_match = true;
  for (std::size_t k = 0; rows_match && k < ref.size(); ++k) {
    const WeightRow &a = run.weights[k], &b = ref[k];
    rows_match = a.synapse == b.synapse && std::llround(a.time / h) == std::llround(b.time / h);
    senders_match = senders_match && a.sender == b.sender;  // ids depend on creation order only
    max_dw = std::max(max_dw, std::fabs(a.weight - b.weight));
  }
  if (!rows_match) {
    out.passed = false;
    summary << "weight rows differ (" << run.weights.size() << " logged, reference " << ref.size() << "); ";
  } else {
    if (max_dw > weight_tolerance) out.passed = false;
    summary << run.weights.size() << " weights, max|dw| " << format("%.2e", max_dw) << " (limit "
            << format("%.0e", weight_tolerance) << ")" << (senders_match ? "" : ", sender ids differ") << "; ";
  }
  out.results["weights_csv"] = weights_csv;
  out.results["max_weight_deviation"] = format("%.3g", max_dw);

  if (with_neuron) {
    const std::string csv = c["csv"].as<std::string>();
    write_csv((fs::path(out_dir) / csv).string(), run.trace);
    std::string worst = "-";
    const double dev = max_trace_deviation(run.trace, read_csv((fs::path(ref_dir) / csv).string()), h, worst);
    if (!(dev <= trace_tolerance)) out.passed = false;
    summary << "trace max|d| " << format("%.2e", dev) << " (" << worst << ", limit " << format("%.0e", trace_tolerance) << ")";
    out.results["csv"] = csv;
    out.results["max_trace_deviation"] = format("%.3g", dev);
  } else {
    summary << "trace not compared: model " << model << " is not built in (weights measured onto a parrot_neuron)";
    out.results["trace"] = "not compared: model " + model + " is not built in";
  }
  out.summary = summary.str();
  return out;
}

// ---------------------------------------------------------------------------------------------
// sinusoidal_poisson_counts

// The statistics key of a setting, and its column in the counts CSV.
std::string statistics_key(bool individual) {
  return std::string("individual_spike_trains_") + (individual ? "true" : "false");
}
std::string counts_column(bool individual) { return individual ? "count_individual" : "count_shared"; }

struct TrainStatistics {
  std::size_t total = 0;
  std::size_t parrots = 0;
  double mean_rate_hz = 0.0;
  bool identical = false;
  double first_spike_ms = 0.0;
  std::vector<double> bins;  // spikes per bin, summed over parrots
};

// The generator → parrots connection's delay: "delay X ms" in the case's description, else 1 ms.
double connection_delay(const YAML::Node& c) {
  const std::string text = c["connection"] ? c["connection"].as<std::string>() : "";
  std::smatch m;
  if (std::regex_search(text, m, std::regex(R"(delay\s+([0-9.eE+-]+)\s*ms)"))) return std::stod(m[1].str());
  return 1.0;
}

std::map<bool, TrainStatistics> run_sinusoidal(const YAML::Node& c, const std::vector<bool>& settings, int threads) {
  const double simulate_ms = c["simulate_ms"].as<double>(), bin_ms = c["bin_ms"].as<double>();
  const auto parrots = c["parrots_per_generator"].as<std::size_t>();
  Simulator sim;
  sim.set_kernel_status({{"resolution", c["resolution_ms"].as<double>()},
                         {"local_num_threads", threads},
                         {"rng_seed", c["seed_grng"] ? c["seed_grng"].as<long long>() : 1LL}});
  std::map<bool, NodeCollection> parrots_of;
  const NodeCollection det = sim.create("spike_detector");
  for (bool individual : settings) {
    const std::string model = "sinusoidal_" + statistics_key(individual);
    sim.copy_model("sinusoidal_poisson_generator", model, {{"individual_spike_trains", individual}});
    const NodeCollection gen = sim.create(model, 1, to_dict(c["generator_params"]));
    parrots_of[individual] = sim.create("parrot_neuron", parrots);
    sim.connect(gen, parrots_of[individual], Rule::all_to_all, {.delay = connection_delay(c)});
    sim.connect(parrots_of[individual], det);
  }
  sim.simulate(simulate_ms);

  const SpikeData spikes = sim.spikes(det[0]);
  const auto n_bins = static_cast<std::size_t>(std::llround(simulate_ms / bin_ms));
  std::map<bool, TrainStatistics> out;
  for (bool individual : settings) {
    const NodeCollection& mine = parrots_of[individual];
    std::map<NodeId, std::vector<double>> trains;
    for (NodeId p : mine) trains[p];
    TrainStatistics& s = out[individual];
    s.parrots = mine.size();
    s.bins.assign(n_bins, 0.0);
    s.first_spike_ms = std::numeric_limits<double>::infinity();
    for (std::size_t k = 0; k < spikes.times.size(); ++k) {
      auto it = trains.find(spikes.senders[k]);
      if (it == trains.end()) continue;
      const double t = spikes.times[k];
      it->second.push_back(t);
      ++s.total;
      s.first_spike_ms = std::min(s.first_spike_ms, t);
      // bin b holds b·bin_ms < t ≤ (b+1)·bin_ms
      const auto b = static_cast<std::size_t>(std::ceil(t / bin_ms - 1e-9)) - 1;
      if (b < n_bins) s.bins[b] += 1.0;
    }
    s.mean_rate_hz = static_cast<double>(s.total) / static_cast<double>(s.parrots) / (simulate_ms / 1000.0);
    s.identical = std::all_of(trains.begin(), trains.end(), [&](const auto& kv) { return kv.second == trains.begin()->second; });
  }
  return out;
}

std::vector<double> column(const Table& t, const std::string& name) {
  std::vector<double> out;
  const std::size_t k = t.column(name);
  for (const auto& row : t.rows) out.push_back(row[k]);
  return out;
}

double correlation(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size() || a.size() < 4) throw std::runtime_error("correlation needs two series of equal length");
  const double n = static_cast<double>(a.size());
  double ma = 0, mb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) ma += a[i] / n, mb += b[i] / n;
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return sab / std::sqrt(saa * sbb);
}

// The generator's activity window in steps: stamps s with t_min < s − 1 ≤ t_max carry spikes
// (nest-2.20 spec §4.1: none in the first step after origin + start).
struct StampWindow {
  long t_min = 0;
  double t_max = std::numeric_limits<double>::infinity();
  bool active(long stamp) const { return stamp - 1 > t_min && static_cast<double>(stamp - 1) <= t_max; }
};

StampWindow stamp_window(const Dict& p, double h) {
  auto get = [&](const char* key, double fallback) { return p.contains(key) ? p.at(key).as_double() : fallback; };
  StampWindow w;
  w.t_min = std::lround((get("origin", 0.0) + get("start", 0.0)) / h);
  w.t_max = (get("origin", 0.0) + get("stop", std::numeric_limits<double>::infinity())) / h;
  return w;
}

// Expected spikes per bin and parrot: the generator's rate at the stamps whose parrot spikes
// (one delay later) fall into the bin, times h.
std::vector<double> expected_per_bin(const YAML::Node& c, double delay) {
  const Dict p = to_dict(c["generator_params"]);
  auto get = [&](const char* key) { return p.contains(key) ? p.at(key).as_double() : 0.0; };
  const double h = c["resolution_ms"].as<double>(), bin_ms = c["bin_ms"].as<double>();
  const double omega = get("frequency") * 2.0 * std::numbers::pi / 1000.0, phi = get("phase") * std::numbers::pi / 180.0;
  const StampWindow window = stamp_window(p, h);
  const auto n_bins = static_cast<std::size_t>(std::llround(c["simulate_ms"].as<double>() / bin_ms));
  const long per_bin = std::llround(bin_ms / h), delay_steps = std::llround(delay / h);
  std::vector<double> out(n_bins, 0.0);
  for (std::size_t b = 0; b < n_bins; ++b)
    for (long s = static_cast<long>(b) * per_bin + 1; s <= static_cast<long>(b + 1) * per_bin; ++s) {
      const long stamp = s - delay_steps;  // the generator's stamp of a parrot spike at step s
      if (!window.active(stamp)) continue;
      const double t = static_cast<double>(stamp) * h;
      out[b] += std::max(0.0, get("rate") + get("amplitude") * std::sin(omega * t + phi)) * h / 1000.0;
    }
  return out;
}

CaseOutcome run_sinusoidal_case(const YAML::Node& c, const std::string& ref_dir, const std::string& out_dir) {
  std::vector<bool> settings;
  for (bool individual : {true, false})
    if (c["statistics"][statistics_key(individual)]) settings.push_back(individual);
  if (settings.empty()) throw std::runtime_error("no statistics entry individual_spike_trains_true/false");
  const std::map<bool, TrainStatistics> one = run_sinusoidal(c, settings, 1), two = run_sinusoidal(c, settings, 2);

  const std::string csv = c["csv"].as<std::string>();
  const Table ref_bins = read_csv((fs::path(ref_dir) / csv).string());
  const double bin_ms = c["bin_ms"].as<double>();
  {
    std::ofstream bins((fs::path(out_dir) / csv).string());
    bins << "bin_start,bin_end";
    for (bool individual : settings) bins << "," << counts_column(individual);
    bins << "\n";
    for (std::size_t b = 0; b < one.begin()->second.bins.size(); ++b) {
      bins << format("%.4f", static_cast<double>(b) * bin_ms) << format(",%.4f", static_cast<double>(b + 1) * bin_ms);
      for (bool individual : settings) bins << format(",%.0f", one.at(individual).bins[b]);
      bins << "\n";
    }
  }

  CaseOutcome out;
  out.passed = true;
  std::ostringstream summary;
  const double delay = connection_delay(c);
  const std::vector<double> expected = expected_per_bin(c, delay);
  const double h = c["resolution_ms"].as<double>();
  const double earliest = static_cast<double>(stamp_window(to_dict(c["generator_params"]), h).t_min + 2) * h + delay;
  for (bool individual : settings) {
    const TrainStatistics& s = one.at(individual);
    const YAML::Node ref = c["statistics"][statistics_key(individual)];
    const auto ref_total = ref["total_spikes"].as<double>();
    // Shared trains: every parrot repeats one train, so the total varies like parrots × a count.
    // Both totals are random: the standard error is that of their difference.
    const double se = std::sqrt(2.0 * ref_total * (ref["all_parrot_trains_identical"].as<bool>() ? static_cast<double>(s.parrots) : 1.0));
    const double z_total = (static_cast<double>(s.total) - ref_total) / se;
    double expected_total = 0.0;
    for (double e : expected) expected_total += e * static_cast<double>(s.parrots);
    const bool identical_ok = s.identical == ref["all_parrot_trains_identical"].as<bool>();
    const bool first_ok = s.first_spike_ms >= earliest - 1e-9;
    // Correlation of the binned counts with the expected rate, ours and NEST's, compared by Fisher z.
    const double r_ours = correlation(s.bins, expected);
    const double r_nest = correlation(column(ref_bins, counts_column(individual)), expected);
    // (not applicable when the rate or the counts are constant: no correlation is defined)
    const double z_corr = (std::atanh(r_ours) - std::atanh(r_nest)) / std::sqrt(2.0 / (static_cast<double>(expected.size()) - 3.0));
    const bool corr_ok = std::isnan(r_ours) && std::isnan(r_nest) ? true : std::fabs(z_corr) <= standard_errors;
    const TrainStatistics& t2 = two.at(individual);
    const bool threads_ok = t2.total == s.total && t2.bins == s.bins && t2.identical == s.identical;
    const bool pass = std::fabs(z_total) <= standard_errors && identical_ok && first_ok &&
                      corr_ok && threads_ok;
    out.passed = out.passed && pass;

    YAML::Node stats;
    stats["total_spikes"] = s.total;
    stats["parrots"] = s.parrots;
    stats["mean_rate_hz"] = shortest(s.mean_rate_hz);
    stats["all_parrot_trains_identical"] = s.identical;
    stats["first_spike_ms"] = shortest(s.first_spike_ms);
    stats["total_vs_nest_standard_errors"] = format("%.3f", z_total);
    stats["expected_total"] = format("%.1f", expected_total);
    stats["correlation_with_rate"] = format("%.4f", r_ours);
    stats["nest_correlation_with_rate"] = format("%.4f", r_nest);
    stats["two_threads_identical"] = threads_ok;
    out.results["statistics"][statistics_key(individual)] = stats;
    summary << (individual ? "individual" : "shared") << ": " << s.total << " spikes (NEST " << ref_total << ", "
            << format("%+.2f", z_total) << " SE; expected " << format("%.0f", expected_total) << "), identical "
            << (s.identical ? "yes" : "no") << (identical_ok ? "" : " (NEST differs)") << ", first "
            << format("%.1f", s.first_spike_ms) << " ms" << (first_ok ? "" : " (too early)") << ", corr "
            << format("%.3f", r_ours) << " vs " << format("%.3f", r_nest) << " (" << format("%+.2f", z_corr)
            << " SE), 2 threads " << (threads_ok ? "identical" : "DIFFER") << "; ";
  }
  out.results["csv"] = csv;
  out.summary = summary.str();
  out.summary.resize(out.summary.size() - 2);  // the last "; "
  return out;
}

const RegisterCaseRunner tsodyks2_runner("tsodyks2", run_tsodyks2_case);
const RegisterCaseRunner sinusoidal_runner("sinusoidal_poisson_counts", run_sinusoidal_case);

}  // namespace
}  // namespace nestling::validation::mc_sleep
