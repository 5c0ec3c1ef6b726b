// reference_check denest REF_DIR OUT_DIR
//
// REF_DIR holds a deNEST run: params/ (tree_paths.yml or parameter_tree.yml, optional input/)
// and output/, the directory deNEST + NEST 2.20 wrote; optionally deNEST's regression files
// test_parameter_tree.yml, test_session_times.yml, test_recorder_metadata.yml. nestling runs the
// same tree into OUT_DIR/output and the two directories are compared generically:
//  - the same files (raw data file lists aside: NEST writes one per thread);
//  - session_times, parameter_tree (output_dir/input_dir aside) and every recorder's metadata
//    equal once parsed (filenames aside);
//  - data: a deterministic network (no random input, connectivity or parameters) must give the
//    same spikes and weight-recorder rows and multimeter values within tolerance; a random one
//    must give per-population spike counts within 25% of NEST's.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "engine/kernel.hpp"
#include "frontend/params_tree.hpp"
#include "frontend/simulation.hpp"
#include "frontend/yaml_values.hpp"
#include "tests/validation/reference_check.hpp"

namespace fs = std::filesystem;
using namespace nestling;

namespace {

// deNEST's outputs carry Python tuple tags; read as plain lists.
Value read_output_yaml(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  for (std::size_t p; (p = text.find(" !!python/tuple")) != std::string::npos;) text.erase(p, 15);
  return frontend::parse_yaml(text, file.string());
}

Dict without(Value v, const std::vector<std::string>& keys) {
  Dict d = v.as_dict();
  for (const auto& k : keys) d.erase(k);
  return d;
}

// Parameter trees compare as Python dicts do: key order aside.
bool same_tree(const Value& a, const Value& b) {
  if (a.is_dict() && b.is_dict()) {
    const Dict &x = a.as_dict(), &y = b.as_dict();
    if (x.size() != y.size()) return false;
    for (const auto& [k, v] : x) {
      const Value* w = y.find(k);
      if (!w || !same_tree(v, *w)) return false;
    }
    return true;
  }
  if (a.is_list() && b.is_list()) {
    if (a.as_list().size() != b.as_list().size()) return false;
    for (std::size_t i = 0; i < a.as_list().size(); ++i)
      if (!same_tree(a.as_list()[i], b.as_list()[i])) return false;
    return true;
  }
  return a == b;
}

Value tree_without_dirs(Value tree) {
  Dict& root = tree.as_dict();
  if (Value* sim = root.find("simulation"))
    if (Value* p = sim->as_dict().find("params"); p && p->is_dict()) {
      p->as_dict().erase("output_dir");
      p->as_dict().erase("input_dir");
    }
  return tree;
}

std::vector<std::vector<std::string>> read_rows(const fs::path& dir, const Value& filenames) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& f : filenames.as_list()) {
    std::ifstream in(dir / f.as_string());
    for (std::string line; std::getline(in, line);) {
      std::vector<std::string> fields;
      std::stringstream ls(line);
      for (std::string x; std::getline(ls, x, '\t');)
        if (!x.empty()) fields.push_back(x);
      rows.push_back(fields);
    }
  }
  return rows;
}

bool random_network(const frontend::Network& net, Simulator& sim) {
  static const std::set<std::string> random_models = {"poisson_generator", "sinusoidal_poisson_generator",
                                                      "noise_generator"};
  for (const auto& l : net.layers())
    for (const auto& [pop, n] : l.populations)
      if (random_models.count(sim.kernel().models().node_model(pop).base_name())) return true;
  static const std::set<std::string> random_parameters = {"uniform", "normal", "lognormal"};
  for (const auto& p : net.projections()) {
    const Dict& np = p.nest_params;
    if (np.contains("number_of_connections")) return true;
    if (const Value* k = np.find("kernel"); k && !(k->is_number() && k->as_double() >= 1.0)) return true;
    for (const char* key : {"weights", "delays"})
      if (const Value* v = np.find(key); v && v->is_dict())
        for (const auto& [type, args] : v->as_dict())
          if (random_parameters.count(type)) return true;
  }
  return false;
}

struct Report {
  int failures = 0;
  void check(bool ok, const std::string& what) {
    std::cout << (ok ? "  ok    " : "  FAIL  ") << what << "\n";
    if (!ok) ++failures;
  }
};

void compare_data(Report& r, const fs::path& ref_data, const fs::path& out_data, const std::string& label,
                  const Dict& ref_meta, const Dict& out_meta, bool statistical) {
  const std::string type = ref_meta.at("type").as_string();
  const auto a = read_rows(ref_data, ref_meta.at("filenames"));
  const auto b = read_rows(out_data, out_meta.at("filenames"));
  if (statistical) {
    if (type != "spike_detector") return;
    const double ref = static_cast<double>(a.size()), got = static_cast<double>(b.size());
    std::ostringstream what;
    what << label << ": " << got << " spikes, NEST " << ref << " (" << std::showpos << std::round((got - ref) / std::max(ref, 1.0) * 1000) / 10 << "%)";
    r.check(std::abs(got - ref) <= 0.25 * std::max(ref, 1.0), what.str());
    return;
  }
  if (type == "spike_detector") {
    std::multiset<std::vector<std::string>> x(a.begin(), a.end()), y(b.begin(), b.end());
    r.check(x == y, label + ": " + std::to_string(b.size()) + " spikes identical to NEST's " + std::to_string(a.size()));
  } else if (type == "multimeter") {
    std::map<std::pair<std::string, std::string>, std::vector<double>> x, y;
    for (const auto& row : a) x[{row[0], row[1]}] = {};
    for (const auto& row : a)
      for (std::size_t c = 2; c < row.size(); ++c) x[{row[0], row[1]}].push_back(std::stod(row[c]));
    for (const auto& row : b)
      for (std::size_t c = 2; c < row.size(); ++c) y[{row[0], row[1]}].push_back(std::stod(row[c]));
    bool same_keys = x.size() == y.size();
    double worst = 0.0;
    for (const auto& [k, v] : x) {
      auto it = y.find(k);
      if (it == y.end() || it->second.size() != v.size()) {
        same_keys = false;
        continue;
      }
      for (std::size_t c = 0; c < v.size(); ++c) worst = std::max(worst, std::abs(v[c] - it->second[c]));
    }
    std::ostringstream what;
    what << label << ": " << y.size() << " samples at NEST's times, max deviation " << worst << " (limit 0.05)";
    r.check(same_keys && worst <= 0.05, what.str());
  } else if (type == "weight_recorder") {
    std::map<std::vector<std::string>, std::vector<double>> x, y;
    for (const auto& row : a) x[{row.begin(), row.end() - 1}].push_back(std::stod(row.back()));
    for (const auto& row : b) y[{row.begin(), row.end() - 1}].push_back(std::stod(row.back()));
    bool same = x.size() == y.size();
    double worst = 0.0;
    for (auto& [k, v] : x) {
      auto it = y.find(k);
      if (it == y.end() || it->second.size() != v.size()) {
        same = false;
        continue;
      }
      std::sort(v.begin(), v.end());
      std::sort(it->second.begin(), it->second.end());
      for (std::size_t i = 0; i < v.size(); ++i) worst = std::max(worst, std::abs(v[i] - it->second[i]));
    }
    std::ostringstream what;
    what << label << ": " << b.size() << " rows, same senders/targets/times: " << (same ? "yes" : "no")
         << ", max weight deviation " << worst << " (limit 1e-3)";
    r.check(same && a.size() == b.size() && worst <= 1e-3, what.str());
  }
}

int check_denest(const std::string& ref_dir, const std::string& out_dir) {
  const fs::path ref(ref_dir), out = fs::path(out_dir) / "output";
  fs::path tree_file = ref / "params" / "tree_paths.yml";
  if (!fs::exists(tree_file)) tree_file = ref / "params" / "parameter_tree.yml";
  frontend::RunOptions opts;
  opts.output_dir = out.string();
  if (fs::is_directory(ref / "params" / "input")) opts.input_dir = (ref / "params" / "input").string();
  opts.force = true;
  frontend::Simulation sim(frontend::ParamsTree::load(tree_file.string()), opts);
  const bool statistical = random_network(sim.network(), sim.simulator());
  std::cout << "denest " << ref.filename().string() << " (" << (statistical ? "statistical" : "exact")
            << " comparison)\n";
  sim.run();

  Report r;
  // The same files, raw data aside.
  auto listing = [](const fs::path& dir) {
    std::set<std::string> files;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
      if (!e.is_regular_file()) continue;
      const auto ext = e.path().extension().string();
      if (ext == ".gdf" || ext == ".dat" || ext == ".csv" || ext == ".h5") continue;
      files.insert(fs::relative(e.path(), dir).string());
    }
    return files;
  };
  r.check(listing(ref / "output") == listing(out), "same files (recorder data file lists aside)");
  r.check(same_tree(read_output_yaml(ref / "output" / "session_times.yml"), read_output_yaml(out / "session_times.yml")),
          "session_times.yml");
  r.check(same_tree(tree_without_dirs(read_output_yaml(ref / "output" / "parameter_tree.yml")),
                    tree_without_dirs(read_output_yaml(out / "parameter_tree.yml"))),
          "parameter_tree.yml");
  Dict all_meta;
  for (const auto& e : fs::directory_iterator(ref / "output" / "data")) {
    if (e.path().extension() != ".yml") continue;
    const std::string label = e.path().stem().string();
    const Value a = read_output_yaml(e.path());
    const fs::path mine = out / "data" / e.path().filename();
    if (!fs::exists(mine)) {
      r.check(false, label + ": metadata missing");
      continue;
    }
    const Value b = read_output_yaml(mine);
    all_meta.set(label, b);
    r.check(same_tree(Value(without(a, {"filenames"})), Value(without(b, {"filenames"}))), label + ": metadata");
    compare_data(r, ref / "output" / "data", out / "data", label, a.as_dict(), b.as_dict(), statistical);
  }
  // The written tree replays identically: the same files, byte for byte.
  {
    frontend::RunOptions replay_opts = opts;
    replay_opts.output_dir = (fs::path(out_dir) / "replay").string();
    frontend::Simulation replay(frontend::ParamsTree::load((out / "parameter_tree.yml").string()), replay_opts);
    replay.run();
    bool identical = true;
    std::size_t files = 0;
    for (const auto& e : fs::recursive_directory_iterator(out)) {
      if (!e.is_regular_file() || e.path().filename() == "parameter_tree.yml") continue;
      const fs::path twin = fs::path(*replay_opts.output_dir) / fs::relative(e.path(), out);
      std::ifstream x(e.path(), std::ios::binary), y(twin, std::ios::binary);
      std::stringstream a, b;
      a << x.rdbuf();
      b << y.rdbuf();
      identical = identical && fs::exists(twin) && a.str() == b.str();
      ++files;
    }
    r.check(identical, "replaying the written parameter_tree.yml gives the same " + std::to_string(files) +
                           " files byte for byte");
  }
  // deNEST's own regression expectations, where present.
  if (fs::exists(ref / "test_session_times.yml"))
    r.check(same_tree(read_output_yaml(ref / "test_session_times.yml"), read_output_yaml(out / "session_times.yml")),
            "deNEST regression: session times");
  if (fs::exists(ref / "test_parameter_tree.yml"))
    r.check(same_tree(tree_without_dirs(read_output_yaml(ref / "test_parameter_tree.yml")),
                      tree_without_dirs(read_output_yaml(out / "parameter_tree.yml"))),
            "deNEST regression: parameter tree");
  if (fs::exists(ref / "test_recorder_metadata.yml")) {
    const Value expected = read_output_yaml(ref / "test_recorder_metadata.yml");
    bool same = expected.as_dict().size() == all_meta.size();
    for (const auto& [key, meta] : expected.as_dict()) {  // keys are paths such as output/data/<label>.yml
      const Value* mine = all_meta.find(fs::path(key).stem().string());
      same = same && mine && same_tree(Value(without(meta, {"filenames"})), Value(without(*mine, {"filenames"})));
    }
    r.check(same, "deNEST regression: recorder metadata");
  }
  return r.failures;
}

const validation::RegisterChecker registration("denest", check_denest);

}  // namespace
