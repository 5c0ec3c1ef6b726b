// Reference check `topology`: layer-to-layer connectivity against NEST 2.20.2 (REF_DIR/cases.yml).
//
// Every case is built through the public API exactly as the reference describes it: two copies
// A and B of parrot_neuron (connectivity does not depend on the model), the source layer, the
// target layer (or the source layer again when target_layer is null), and connect_layers with
// the case's dictionary. Nothing here knows a particular case.
//
//   * deterministic cases: OUT_DIR/<case>.csv lists nestling's connections in the reference's
//     columns, formatting (Python's repr of round(x, 6)) and row order; the case passes when the
//     multiset equals NEST's, positions, weights and delays within 1e-6.
//   * stochastic cases: seeds 1–10 (kernel rng_seed); the case passes when nestling's mean total
//     lies within 3 NEST standard deviations of NEST's mean (equality when NEST's is 0).
//     OUT_DIR/cases.yml records every case's totals.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <tuple>

#include "engine/kernel.hpp"
#include "nestling/simulator.hpp"
#include "nestling/spatial.hpp"
#include "tests/validation/reference_check.hpp"
#include "tests/validation/reference_util.hpp"

namespace nestling::validation {
namespace {

constexpr double tolerance = 1e-6;

// Python's repr(round(x, 6)): the reference CSVs are written that way.
std::string python_float(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6f", x);
  const double rounded = std::strtod(buf, nullptr);
  const auto r = std::to_chars(buf, buf + sizeof buf, rounded);
  std::string s(buf, r.ptr);
  if (s.find_first_of(".en") == std::string::npos) s += ".0";
  return s;
}

struct Row {
  std::vector<std::string> fields;  // 8 value columns and the count, as written
  double number(std::size_t i) const { return std::stod(fields[i]); }
};

bool row_less(const Row& a, const Row& b) {
  auto key = [](const Row& r) {
    return std::make_tuple(r.number(0), r.number(1), r.fields[2], r.number(3), r.number(4), r.fields[5], r.number(6),
                           r.number(7));
  };
  return key(a) < key(b);
}

const std::string csv_header = "source_x,source_y,source_model,target_x,target_y,target_model,weight,delay,count";

std::vector<Row> read_connection_rows(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::vector<Row> rows;
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    Row r;
    std::stringstream ss(line);
    std::string field;
    while (std::getline(ss, field, ',')) r.fields.push_back(field);
    if (r.fields.size() != 9) throw std::runtime_error(path + ": malformed row '" + line + "'");
    rows.push_back(std::move(r));
  }
  return rows;
}

struct Network {
  Simulator sim;
  GridLayer source, target;
  std::size_t made = 0;
};

// Builds the case's layers and projection in `net`.
void build(Network& net, const YAML::Node& c, long seed) {
  net.sim.set_kernel_status({{"local_num_threads", 2}, {"rng_seed", seed}});
  net.sim.copy_model("parrot_neuron", "A");
  net.sim.copy_model("parrot_neuron", "B");
  net.source = create_grid_layer(net.sim, to_value(c["source_layer"]).as_dict());
  const bool same = (c["same_layer"] && c["same_layer"].as<bool>()) || !c["target_layer"] || c["target_layer"].IsNull();
  net.target = same ? net.source : create_grid_layer(net.sim, to_value(c["target_layer"]).as_dict());
  net.made = connect_layers(net.sim, net.source, net.target, to_value(c["connect"]).as_dict());
}

std::vector<Row> connection_rows(Network& net) {
  std::map<std::vector<std::string>, long> counts;
  auto describe = [&](NodeId id, const GridLayer& preferred, std::vector<std::string>& out) {
    const GridLayer& layer = preferred.contains(id) ? preferred : (net.source.contains(id) ? net.source : net.target);
    const Point2 p = layer.position_of(id);
    out.push_back(python_float(p[0]));
    out.push_back(python_float(p[1]));
    out.push_back(layer.model_at_depth(layer.depth_of(id)));
  };
  for (const ConnectionInfo& c : net.sim.get_connections()) {
    std::vector<std::string> key;
    describe(c.source, net.source, key);
    describe(c.target, net.target, key);
    key.push_back(python_float(c.weight));
    key.push_back(python_float(c.delay_ms));
    ++counts[key];
  }
  std::vector<Row> rows;
  for (auto& [key, n] : counts) {
    Row r{key};
    r.fields.push_back(std::to_string(n));
    rows.push_back(std::move(r));
  }
  std::sort(rows.begin(), rows.end(), row_less);
  return rows;
}

bool rows_match(const Row& a, const Row& b) {
  for (std::size_t i : {0, 1, 3, 4, 6, 7})
    if (std::fabs(a.number(i) - b.number(i)) > tolerance) return false;
  return a.fields[2] == b.fields[2] && a.fields[5] == b.fields[5] && a.fields[8] == b.fields[8];
}

std::string join(const Row& r) {
  std::string s;
  for (const auto& f : r.fields) s += (s.empty() ? "" : ",") + f;
  return s;
}

// Multiset comparison; returns a description of the first difference, or "" when equal.
std::string compare(std::vector<Row> ours, const std::vector<Row>& reference) {
  std::vector<bool> used(ours.size(), false);
  std::size_t missing = 0;
  std::string first;
  for (const Row& ref : reference) {
    bool found = false;
    for (std::size_t i = 0; i < ours.size() && !found; ++i)
      if (!used[i] && rows_match(ours[i], ref)) used[i] = found = true;
    if (!found && missing++ == 0) first = "NEST row not in nestling: " + join(ref);
  }
  const std::size_t extra = static_cast<std::size_t>(std::count(used.begin(), used.end(), false));
  if (!missing && !extra) return "";
  if (first.empty())
    for (std::size_t i = 0; i < ours.size(); ++i)
      if (!used[i]) {
        first = "nestling row not in NEST: " + join(ours[i]);
        break;
      }
  return std::to_string(missing) + " NEST rows missing, " + std::to_string(extra) + " extra rows; " + first;
}

int check_topology(const std::string& ref_dir, const std::string& out_dir) {
  std::filesystem::create_directories(out_dir);
  const YAML::Node root = YAML::LoadFile(ref_dir + "/cases.yml");
  YAML::Emitter summary;
  summary << YAML::BeginMap << YAML::Key << "cases" << YAML::Value << YAML::BeginSeq;
  int failed = 0;
  for (const auto& c : root["cases"]) {
    const std::string name = c["name"].as<std::string>();
    const std::string kind = c["kind"].as<std::string>();
    summary << YAML::BeginMap << YAML::Key << "name" << YAML::Value << name << YAML::Key << "kind" << YAML::Value
            << kind;
    bool ok = false;
    std::string line;
    try {
      if (kind == "deterministic") {
        Network net;
        build(net, c, 1);
        const std::vector<Row> ours = connection_rows(net);
        std::ofstream out(out_dir + "/" + name + ".csv");
        out << csv_header << "\n";
        for (const Row& r : ours) out << join(r) << "\n";
        const std::vector<Row> reference = read_connection_rows(ref_dir + "/" + c["csv"].as<std::string>());
        const std::string diff = compare(ours, reference);
        const long nest_total = c["total_connections"].as<long>();
        ok = diff.empty() && static_cast<long>(net.made) == nest_total;
        line =
            ok ? "exact match (" + std::to_string(net.made) + " connections, " + std::to_string(ours.size()) + " rows)"
               : "MISMATCH: " + std::to_string(net.made) + " connections vs NEST " + std::to_string(nest_total) +
                     (diff.empty() ? "" : "; " + diff);
        summary << YAML::Key << "total_connections" << YAML::Value << net.made << YAML::Key << "csv" << YAML::Value
                << name + ".csv";
      } else if (kind == "stochastic") {
        const int seeds = c["seeds"] ? c["seeds"].as<int>() : 10;
        std::vector<long> totals;
        for (int seed = 1; seed <= seeds; ++seed) {
          Network net;
          build(net, c, seed);
          totals.push_back(static_cast<long>(net.made));
        }
        double mean = 0;
        for (long t : totals) mean += static_cast<double>(t) / static_cast<double>(totals.size());
        const double nest_mean = c["total_connections_mean"].as<double>();
        const double nest_sd = c["total_connections_stdev"].as<double>();
        ok = nest_sd == 0.0 ? mean == nest_mean : std::fabs(mean - nest_mean) <= 3.0 * nest_sd;
        char buf[200];
        std::snprintf(buf, sizeof buf, "nestling mean %.1f vs NEST %.1f ± %.1f over %d seeds (|Δ| = %.2f sd)", mean,
                      nest_mean, nest_sd, seeds, nest_sd > 0 ? std::fabs(mean - nest_mean) / nest_sd : 0.0);
        line = std::string(ok ? "" : "MISMATCH: ") + buf;
        summary << YAML::Key << "totals" << YAML::Value << YAML::Flow << totals << YAML::Key << "mean" << YAML::Value
                << mean << YAML::Key << "nest_mean" << YAML::Value << nest_mean << YAML::Key << "nest_stdev"
                << YAML::Value << nest_sd;
      } else {
        line = "unknown case kind '" + kind + "'";
      }
    } catch (const std::exception& e) {
      line = std::string("ERROR: ") + e.what();
    }
    summary << YAML::Key << "pass" << YAML::Value << ok << YAML::EndMap;
    std::cout << "topology " << name << ": " << line << "\n";
    failed += ok ? 0 : 1;
  }
  summary << YAML::EndSeq << YAML::EndMap;
  std::ofstream(out_dir + "/cases.yml") << summary.c_str() << "\n";
  return failed;
}

const RegisterChecker registration("topology", check_topology);

}  // namespace
}  // namespace nestling::validation
