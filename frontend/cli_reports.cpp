#include "frontend/cli_reports.hpp"

#include <sys/resource.h>

#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <map>
#include <iomanip>
#include <ostream>
#include <sstream>

#include "engine/kernel.hpp"
#include "frontend/cli_text.hpp"
#include "io/yaml_writer.hpp"

namespace nestling::cli {

namespace {

std::string default_text(const Value& v) {
  if (v.is_real()) {
    std::ostringstream os;
    os << v.as_double();
    return os.str();
  }
  if (v.is_string()) return "'" + v.as_string() + "'";
  return v.repr();
}

std::string fixed(double x, int decimals) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(decimals) << x;
  return os.str();
}

std::string megabytes(std::size_t bytes) {
  return fixed(static_cast<double>(bytes) / (1024.0 * 1024.0), 1) + " MiB";
}

// The first sentence of a description ("... 2.20. Spikes ..." ends at the period before a space).
std::string first_sentence(const std::string& text) {
  for (std::size_t i = 0; i + 1 < text.size(); ++i)
    // A sentence ends at ". " before a capital: not inside "1. 5" or "et al. (2021)".
    if (text[i] == '.' && text[i + 1] == ' ' && i + 2 < text.size() &&
        std::isupper(static_cast<unsigned char>(text[i + 2])))
      return text.substr(0, i + 1);
  return text;
}

void print_wrapped(std::ostream& os, const std::string& text, int width) {
  for (const auto& line : wrap(text, static_cast<std::size_t>(width))) os << line << "\n";
}

void print_parameters(std::ostream& os, const std::vector<ParamSpec>& specs, const Dict& defaults, int width) {
  TextTable table({"parameter", "unit", "default", "check", "meaning"});
  for (const auto& s : specs) {
    const Value* v = defaults.find(s.name);
    if (s.write_only || (v && v->is_dict())) continue;  // mappings (receptor_types) are listed below
    table.add({s.name, s.unit.empty() ? "-" : s.unit, v ? default_text(*v) : "-", check_text(s.check),
               s.doc + (s.is_state ? " (state)" : "") + (s.read_only ? " (read-only)" : "")});
  }
  table.print(os, static_cast<std::size_t>(width));
}

}  // namespace

void print_model_list(std::ostream& os, Simulator& sim, int width) {
  const ModelRegistry& models = sim.kernel().models();
  os << "node models:\n";
  TextTable nodes({"", ""});
  for (const auto& n : models.node_model_names()) nodes.add({n, first_sentence(models.node_model(n).documentation())});
  nodes.print(os, static_cast<std::size_t>(width), "  ");
  os << "synapse models:\n";
  TextTable synapses({"", ""});
  for (const auto& n : models.synapse_model_names())
    synapses.add({n, first_sentence(models.synapse_model(n).documentation())});
  synapses.print(os, static_cast<std::size_t>(width), "  ");
  os << "`nestling models NAME` shows a model's parameter table.\n";
}

void print_model(std::ostream& os, Simulator& sim, const std::string& name, int width) {
  const ModelRegistry& models = sim.kernel().models();
  if (models.has_synapse_model(name)) {
    const SynapseModel& m = models.synapse_model(name);
    os << name << " (synapse model)\n";
    print_wrapped(os, m.documentation(), width);
    os << "\n";
    print_parameters(os, m.parameters(), m.defaults(), width);
    return;
  }
  const NodeModel& m = models.node_model(name);
  os << name << " (node model)\n";
  print_wrapped(os, m.documentation(), width);
  os << "\n";
  print_parameters(os, m.parameters(), m.defaults(), width);
  if (auto r = m.recordables(); !r.empty()) {
    std::string line = "recordables:";
    for (const auto& x : r) line += " " + x;
    os << "\n";
    print_wrapped(os, line, width);
  }
  if (auto r = m.receptor_types(); !r.empty()) print_wrapped(os, "receptor_types: " + Value(r).repr(), width);
}

void print_summary(std::ostream& os, frontend::Simulation& s) {
  const auto& net = s.network();
  Kernel& k = s.simulator().kernel();
  k.finalize_connections();
  // Collective under MPI: every process calls this (only process 0's stream is read).
  const Communicator& comm = k.communicator();
  const std::size_t n_total = k.total_connections();
  os << "network: " << k.max_gid() << " nodes, " << n_total << " connections";
  if (comm.distributed()) os << " on " << comm.size() << " processes x " << k.threads() << " threads";
  os << "\n\n";
  TextTable populations({"layer", "population", "model", "nodes"}, {false, false, false, true});
  for (const auto& l : net.layers())
    for (const auto& [pop, n] : l.populations) {
      const auto ids = l.ids(pop);
      populations.add({l.name, pop, k.group_of(ids.front()).model().base_name(), std::to_string(ids.size())});
    }
  populations.print(os);
  os << "\n";
  TextTable projections({"projection", "synapse model", "connections"}, {false, false, true});
  for (const auto& p : net.projections())  // the synapse model as written (not a recorder's copy)
    projections.add({p.name(), p.nest_params.at(p.synapse_key()).as_string(), std::to_string(p.connections)});
  projections.print(os);
  const std::size_t syn_bytes = k.connection_bytes();
  const std::size_t n_syn = k.total_connections();  // collective, as the gathering below
  const std::vector<std::uint64_t> mine = {syn_bytes, k.node_bytes()};
  const auto all = comm.all_gather_values(mine);  // (connections, nodes) of every process
  std::uint64_t syn_total = 0, node_total = 0;
  for (std::size_t p = 0; p < all.size(); p += 2) {
    syn_total += all[p];
    node_total += all[p + 1];
  }
  os << "\nmemory: connections " << megabytes(syn_total);
  if (n_syn)
    os << " (" << std::setprecision(3) << static_cast<double>(syn_total) / static_cast<double>(n_syn)
       << " bytes per synapse)";
  os << ", nodes " << megabytes(node_total) << "\n";
  if (comm.distributed()) {
    TextTable per_process({"process", "connections", "nodes"}, {true, true, true});
    for (std::size_t p = 0; p < all.size(); p += 2)
      per_process.add({std::to_string(p / 2), megabytes(all[p]), megabytes(all[p + 1])});
    per_process.print(os, 0, "  ");
  }
  TextTable per_node({"", "", ""}, {false, true, false});
  for (const auto& [model, bytes_per_node] : k.bytes_per_node_by_model())
    per_node.add({model, fixed(bytes_per_node, 0), "bytes per node (state and input buffers)"});
  per_node.print(os, 0, "  ");
  os << "sessions:";
  for (const auto& session : s.sessions()) os << " " << session.name << " (" << session.simulation_time << " ms)";
  os << "\n";
}

void print_activity(std::ostream& os, const frontend::Simulation& s) {
  TextTable table({"session", "layer", "population", "nodes", "spikes", "rate (Hz)"},
                  {false, false, false, true, true, true});
  for (const auto& report : s.reports())
    for (const auto& a : report.activity)
      table.add({report.name, a.layer, a.population, std::to_string(a.nodes), std::to_string(a.spikes),
                 fixed(a.rate_hz(report.simulated_ms), 2)});
  if (table.empty()) return;
  os << "spikes and mean rate per population and session:\n";
  table.print(os, 0, "  ");
}

void print_timings(std::ostream& os, frontend::Simulation& s) {
  const PhaseTimes& t = s.simulator().kernel().times();
  os << std::fixed << std::setprecision(3) << "timings (s): create " << t.create << ", connect " << t.connect
     << ", prepare " << t.prepare << ", simulate " << t.computing() << ", write " << t.write;
  if (s.simulator().kernel().communicator().distributed()) os << ", exchange " << t.exchange;
  os << ", total build " << s.build_seconds() << "\n";
  if (t.busy_per_thread.size() > 1) {
    os << "busy per thread (s, updating and delivering):";
    for (double b : t.busy_per_thread) os << " " << b;
    os << "\n";
  }
}

void write_stats(const std::string& file, frontend::Simulation& s, double build_s, double run_s, bool writes) {
  Kernel& k = s.simulator().kernel();
  const Communicator& comm = k.communicator();
  const PhaseTimes& t = k.times();
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  // Under MPI each process recorded the spikes of its own nodes: the counts add up.
  std::vector<std::uint64_t> counts;
  for (const auto& r : s.network().recorders())
    if (r.kind == RecordKind::spikes) counts.push_back(k.recorder(r.gid).n_events());
  const std::uint64_t synaptic_events = k.synaptic_events(), synapse_bytes = k.connection_bytes();
  counts.push_back(synaptic_events);
  counts.push_back(synapse_bytes);
  comm.sum(counts);
  const std::size_t connections = k.total_connections();
  const std::vector<double> rss = comm.all_gather_values(std::vector<double>{static_cast<double>(usage.ru_maxrss) / 1024.0});
  std::vector<std::int64_t> slowest = {std::llround(build_s * 1e6), std::llround(run_s * 1e6)};
  comm.max(slowest);  // the run took as long as its slowest process
  build_s = static_cast<double>(slowest[0]) * 1e-6;
  run_s = static_cast<double>(slowest[1]) * 1e-6;
  if (!writes) return;
  // Per population name, summed over the layers that hold it (per layer: `activity`).
  std::map<std::string, long long> spikes_by_population;
  std::size_t next = 0;
  for (const auto& r : s.network().recorders())
    if (r.kind == RecordKind::spikes) spikes_by_population[r.population] += static_cast<long long>(counts[next++]);
  io::YamlNode spikes = io::YamlNode::mapping();
  for (const auto& [population, n] : spikes_by_population) spikes.set(population, io::YamlNode(n));
  io::YamlNode activity = io::YamlNode::mapping();
  double biological_ms = 0;
  for (const auto& report : s.reports()) {
    biological_ms += report.simulated_ms;
    io::YamlNode session = io::YamlNode::mapping();
    for (const auto& a : report.activity) {
      io::YamlNode entry = io::YamlNode::mapping();
      entry.set("nodes", static_cast<long long>(a.nodes))
          .set("spikes", static_cast<long long>(a.spikes))
          .set("rate_hz", a.rate_hz(report.simulated_ms));
      session.set(a.layer + "/" + a.population, entry);
    }
    activity.set(report.name, session);
  }
  io::YamlNode phases = io::YamlNode::mapping();
  phases.set("create", t.create).set("connect", t.connect).set("prepare", t.prepare);
  phases.set("simulate", t.computing()).set("write", t.write).set("exchange", t.exchange);
  io::YamlNode busy = io::YamlNode::sequence();
  for (double b : t.busy_per_thread) busy.append(io::YamlNode(b));
  phases.set("busy_per_thread", busy);
  io::YamlNode stats = io::YamlNode::mapping();
  io::YamlNode rss_per_process = io::YamlNode::sequence();
  for (double mb : rss) rss_per_process.append(io::YamlNode(mb));
  stats.set("threads", k.threads())
      .set("processes", comm.size())
      .set("nodes", static_cast<long long>(k.max_gid()))
      .set("connections", static_cast<long long>(connections))
      .set("build_s", build_s)
      .set("simulate_s", run_s)
      .set("phases_s", phases)  // process 0's
      .set("biological_time_ms", biological_ms)
      .set("synaptic_events", static_cast<long long>(counts[next]))
      .set("bytes_per_synapse",
           connections ? static_cast<double>(counts[next + 1]) / static_cast<double>(connections) : 0.0)
      .set("peak_rss_mb", *std::max_element(rss.begin(), rss.end()))  // of the largest process
      .set("peak_rss_mb_per_process", rss_per_process)
      .set("spikes", spikes)
      .set("activity", activity);
  io::write_yaml_file(file, stats);
}

namespace {
// One connection as processes exchange it (the model by its kernel id).
struct ConnectionRow {
  NodeId source, target;
  double weight, delay;
  long receptor;
  int model;
};
}  // namespace

void write_connections_csv(const std::string& file, frontend::Simulation& s, bool writes) {
  Kernel& k = s.simulator().kernel();
  ConnectionArrays c = k.connection_columns({});
  if (k.communicator().distributed()) {
    // Every process's connections (those onto its nodes), in the order one process lists them: a
    // (source, target) pair's connections share a process, so a stable sort keeps their order.
    std::vector<ConnectionRow> mine(c.sources.size());
    for (std::size_t i = 0; i < mine.size(); ++i)
      mine[i] = {c.sources[i], c.targets[i], c.weights[i], c.delays[i], c.receptors[i],
                 k.synapse_model_id(c.synapse_models[c.synapse_model_index[i]])};
    std::vector<ConnectionRow> all = k.communicator().all_gather_values(mine);
    std::stable_sort(all.begin(), all.end(), [](const ConnectionRow& a, const ConnectionRow& b) {
      return a.source != b.source ? a.source < b.source : a.target < b.target;
    });
    c = {};
    for (const ConnectionRow& r : all) {
      c.sources.push_back(r.source);
      c.targets.push_back(r.target);
      c.weights.push_back(r.weight);
      c.delays.push_back(r.delay);
      c.receptors.push_back(r.receptor);
      c.synapse_model_index.push_back(static_cast<std::uint32_t>(r.model));
    }
    for (std::size_t id = 0; id < k.models().synapse_model_count(); ++id)
      c.synapse_models.push_back(k.models().synapse_model(static_cast<int>(id)).name());
  }
  if (!writes) return;
  const std::string partial = file + ".nestling-partial";  // the target changes only when complete
  {
    std::ofstream out(partial);
    if (!out) throw UserError("--connections", "cannot write " + partial);
    out << "source,target,synapse_model,weight,delay,receptor\n";
    const auto put = [&out](double x) {
      char buf[32];
      const auto r = std::to_chars(buf, buf + sizeof buf, x);  // shortest text that reads back exactly
      out.write(buf, r.ptr - buf);
    };
    for (std::size_t i = 0; i < c.sources.size(); ++i) {
      out << c.sources[i] << ',' << c.targets[i] << ',' << c.synapse_models[c.synapse_model_index[i]] << ',';
      put(c.weights[i]);
      out << ',';
      put(c.delays[i]);
      out << ',' << c.receptors[i] << '\n';
    }
    if (!out.flush()) throw UserError("--connections", "cannot write " + partial);
  }
  std::filesystem::rename(partial, file);
}

}  // namespace nestling::cli
