#include "frontend/outputs.hpp"

#include <algorithm>
#include <filesystem>

#include "engine/kernel.hpp"
#include "io/hdf5_sink.hpp"
#include "io/output_dir.hpp"
#include "io/text_sink.hpp"
#include "io/yaml_writer.hpp"

namespace nestling::frontend {

using io::YamlNode;

void RunOutputs::write_tree(const ParamsTree& tree) const { tree.write((dir_ / "parameter_tree.yml").string()); }

void RunOutputs::write_versions() const {
  io::write_file_atomically(dir_ / "versions.txt", "nestling=0.1.0\ndeNEST 1.0.1 trees, NEST 2.20.2 semantics\n");
}

void RunOutputs::write_session_times(const std::vector<Session>& sessions, std::size_t count,
                                     std::optional<double> last_end) const {
  YamlNode times = YamlNode::mapping();
  count = std::min(count, sessions.size());
  for (std::size_t i = 0; i < count; ++i) {
    const double end = i + 1 == count && last_end ? *last_end : sessions[i].end;
    times.set(sessions[i].name, YamlNode::tuple({YamlNode(sessions[i].start), YamlNode(end)}));
  }
  io::write_yaml_file((dir_ / "session_times.yml").string(), times, {.sort_keys = true});
}

namespace {

// The file names a recorder's text back-end will write and its HDF5 files, named from the same
// description the back-ends get when they open: one of each per process.
std::vector<std::string> predicted_files(const NetworkRecorder& r, const Kernel& kernel,
                                         std::vector<std::string>& hdf5_files) {
  RecorderDescription d = kernel.describe_recorder(r.gid);
  std::vector<std::string> text;
  hdf5_files.clear();
  for (int p = 0; p < d.processes; ++p) {
    d.vp = p * kernel.threads();
    for (const auto& backend : kernel.recorder(r.gid).params().record_to) {
      if (backend == "file") text.push_back(io::nest_file_name(d));
      if (backend == "hdf5") hdf5_files.push_back(io::Hdf5Sink::file_name(d));
    }
  }
  return text;
}

YamlNode string_list(const std::vector<std::string>& v) {
  YamlNode n = YamlNode::sequence();
  for (const auto& s : v) n.append(YamlNode(s));
  return n;
}

}  // namespace

std::vector<std::string> RunOutputs::planned_data_files(const Network& network, const Simulator& sim) {
  std::vector<std::string> names;
  for (const NetworkRecorder& r : network.recorders()) {
    std::vector<std::string> hdf5_files;
    for (auto& f : predicted_files(r, sim.kernel(), hdf5_files)) names.push_back(std::move(f));
    names.insert(names.end(), hdf5_files.begin(), hdf5_files.end());
    names.push_back(r.label + ".yml");
  }
  return names;
}

void RunOutputs::write_recorder_metadata(const Network& network, Simulator& sim, bool only_missing) const {
  const auto written = [&](const std::string& f) { return std::filesystem::exists(dir_ / "data" / f); };
  for (const NetworkRecorder& r : network.recorders()) {
    if (sim.kernel().stop_pending() && !only_missing) throw Interrupted();  // Ctrl-C while metadata is written
    std::vector<std::string> hdf5_files;
    auto files = predicted_files(r, sim.kernel(), hdf5_files);
    if (only_missing) {
      const bool all_there =
          std::all_of(files.begin(), files.end(), written) && std::all_of(hdf5_files.begin(), hdf5_files.end(), written);
      if (all_there) continue;
      const auto drop_missing = [&](std::vector<std::string>& v) {
        v.erase(std::remove_if(v.begin(), v.end(), [&](const std::string& f) { return !written(f); }), v.end());
      };
      drop_missing(files);
      drop_missing(hdf5_files);
    }
    YamlNode m = YamlNode::mapping();
    m.set("label", r.label);
    m.set("filenames", string_list(files));
    // hdf5_file: the file of a single-process run (or the first process's); hdf5_files: all of them.
    if (!hdf5_files.empty()) m.set("hdf5_file", hdf5_files.front());
    if (hdf5_files.size() > 1) m.set("hdf5_files", string_list(hdf5_files));
    if (r.kind == RecordKind::weights) {
      m.set("type", "weight_recorder");
      m.set("colnames", YamlNode());
      m.set("projection_name", r.projection);
    } else {
      const NetworkLayer& l = network.layer(r.layer);
      const Dict status = sim.get_status(r.gid);
      std::vector<std::string> record_from = {"spikes"};
      std::vector<std::string> colnames = {"gid", "time"};
      if (r.kind == RecordKind::samples) {
        record_from = status.at("record_from").as_string_vector();
        colnames.insert(colnames.end(), record_from.begin(), record_from.end());
        m.set("type", "multimeter");
        m.set("interval", status.at("interval").as_double());
      } else {
        m.set("type", "spike_detector");
        m.set("interval", YamlNode());
      }
      m.set("colnames", string_list(colnames));
      m.set("record_from", string_list(record_from));
      m.set("layer_name", r.layer);
      m.set("population_name", r.population);
      const long rows = l.rows(), cols = l.columns(), n = l.units(r.population);
      m.set("layer_shape", YamlNode::tuple({YamlNode(rows), YamlNode(cols)}));
      m.set("population_shape", YamlNode::tuple({YamlNode(rows), YamlNode(cols), YamlNode(n)}));
      m.set("units_number", YamlNode(n));
      YamlNode gids = YamlNode::sequence();
      YamlNode locations = YamlNode::mapping();
      const auto positions = static_cast<std::size_t>(rows * cols);
      for (std::size_t i = 0; i < r.gids.size(); ++i) {
        gids.append(YamlNode(static_cast<long long>(r.gids[i])));
        const std::size_t k = i / positions, p = i % positions;
        const auto row = static_cast<long long>(p % static_cast<std::size_t>(rows));
        const auto col = static_cast<long long>(p / static_cast<std::size_t>(rows));
        locations.add(static_cast<std::int64_t>(r.gids[i]),
                      YamlNode::tuple({YamlNode(row), YamlNode(col), YamlNode(static_cast<long long>(k))}));
      }
      m.set("gids", gids);
      m.set("locations", locations);
    }
    io::write_yaml_file((dir_ / "data" / (r.label + ".yml")).string(), m, {.sort_keys = true});
  }
}

}  // namespace nestling::frontend
