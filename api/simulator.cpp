// The public C++ API. This is where the library is assembled: the kernel gets the built-in
// models and recording back-ends here, so the kernel itself knows neither.
#include "nestling/simulator.hpp"

#include "engine/kernel.hpp"
#include "io/backends.hpp"
#include "models/builtin_models.hpp"

namespace nestling {

NodeCollection::NodeCollection(NodeId first, std::size_t n) {
  ids_.reserve(n);
  for (std::size_t i = 0; i < n; ++i) ids_.push_back(first + i);
}

const std::vector<double>& SampleData::operator[](const std::string& name) const {
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return values[i];
  throw UserError(name, "was not recorded by this multimeter");
}

Simulator::Simulator() : kernel_(std::make_unique<Kernel>()) {
  register_builtin_models(kernel_->models());
  io::register_builtin_backends(kernel_->backends());
}

#if defined(NESTLING_HAVE_MPI)
Simulator::Simulator(MPI_Comm comm) : Simulator() { kernel_->set_communicator(Communicator::from_mpi(&comm)); }
#endif

Simulator::~Simulator() = default;

void Simulator::set_kernel_status(const Dict& d) { kernel_->set_status(d); }
Dict Simulator::kernel_status() const { return kernel_->status(); }

std::vector<std::string> Simulator::node_models() const { return kernel_->models().node_model_names(); }
std::vector<std::string> Simulator::synapse_models() const { return kernel_->models().synapse_model_names(); }
void Simulator::copy_model(const std::string& base, const std::string& name, const Dict& params) {
  kernel_->copy_model(base, name, params);
}
void Simulator::set_defaults(const std::string& model, const Dict& params) { kernel_->set_defaults(model, params); }
Dict Simulator::get_defaults(const std::string& model) const { return kernel_->get_defaults(model); }

NodeCollection Simulator::create(const std::string& model, std::size_t n, const Dict& params) {
  return NodeCollection(kernel_->create(model, n, params), n);
}

void Simulator::set_status(NodeId node, const Dict& d) { kernel_->set_node_status(node, d); }
void Simulator::set_status(const NodeCollection& nodes, const Dict& d) {
  for (NodeId id : nodes) kernel_->set_node_status(id, d);
}
Dict Simulator::get_status(NodeId node) const { return kernel_->get_node_status(node); }

namespace {
Kernel::SynapseSpec to_spec(const Kernel& k, const SynSpec& syn) {
  Kernel::SynapseSpec s;
  s.model = k.synapse_model_id(syn.model);
  if (syn.weight) {
    s.weight = *syn.weight;
    s.has_weight = true;
  }
  if (syn.delay) {
    s.delay_ms = *syn.delay;
    s.has_delay = true;
  }
  if (syn.receptor) {
    s.receptor = *syn.receptor;
    s.has_receptor = true;
  }
  s.state = syn.state.empty() ? nullptr : &syn.state;
  return s;
}

// The receptor number a named port has on `target`'s model.
long named_receptor(const Kernel& k, NodeId target, const std::string& name) {
  const NodeGroup& g = k.group_of(target);
  const Dict ports = g.model().receptor_types();
  if (const Value* port = ports.find(name)) return static_cast<long>(port->as_int());
  std::string valid;
  for (const auto& [n, v] : ports) valid += (valid.empty() ? "" : ", ") + n;
  throw UserError("receptor_name", "model " + g.model_name() + " has no receptor '" + name + "'" +
                                       (valid.empty() ? " (it has no named receptors)" : "; valid: " + valid));
}
}  // namespace

void Simulator::connect(const NodeCollection& sources, const NodeCollection& targets, Rule rule, const SynSpec& syn) {
  connect(sources, targets, ConnSpec{rule, false}, syn);
}

void Simulator::connect(const NodeCollection& sources, const NodeCollection& targets, const ConnSpec& conn,
                        const SynSpec& syn) {
  Kernel::SynapseSpec spec = to_spec(*kernel_, syn);
  auto for_target = [&](NodeId target) -> const Kernel::SynapseSpec& {
    if (!syn.receptor_name.empty()) {
      spec.receptor = named_receptor(*kernel_, target, syn.receptor_name);
      spec.has_receptor = true;
    }
    return spec;
  };
  const bool gap = kernel_->synapse_model(spec.model).secondary();
  if (conn.make_symmetric && conn.rule != Rule::one_to_one)
    throw UserError("make_symmetric", "only the one_to_one rule can make symmetric connections");
  if (conn.rule == Rule::one_to_one) {
    if (sources.size() != targets.size())
      throw UserError("connect", "one_to_one needs as many sources as targets (" + std::to_string(sources.size()) +
                                     " vs " + std::to_string(targets.size()) + ")");
    if (gap && !conn.make_symmetric)
      throw UserError("make_symmetric", syn.model + " connections must be symmetric: use make_symmetric with one_to_one");
    for (std::size_t i = 0; i < sources.size(); ++i) kernel_->connect(sources[i], targets[i], for_target(targets[i]));
    if (conn.make_symmetric)
      for (std::size_t i = 0; i < sources.size(); ++i) kernel_->connect(targets[i], sources[i], for_target(sources[i]));
    return;
  }
  if (gap && sources.ids() != targets.ids())
    throw UserError("connect", syn.model + " connections must be symmetric: all_to_all needs the same sources and "
                                           "targets, or use one_to_one with make_symmetric");
  for (NodeId s : sources)
    for (NodeId t : targets) kernel_->connect(s, t, for_target(t));
}

void Simulator::connect(const std::vector<NodeId>& sources, const std::vector<NodeId>& targets,
                        const std::vector<double>& weights, const std::vector<double>& delays, const SynSpec& syn) {
  if (sources.size() != targets.size())
    throw UserError("connect", "explicit lists need as many sources as targets");
  if (!weights.empty() && weights.size() != sources.size())
    throw UserError("weights", "must be empty or have one entry per connection");
  if (!delays.empty() && delays.size() != sources.size())
    throw UserError("delays", "must be empty or have one entry per connection");
  Kernel::SynapseSpec spec = to_spec(*kernel_, syn);
  if (kernel_->synapse_model(spec.model).secondary())
    throw UserError("connect", syn.model + " connections must be symmetric: use one_to_one with make_symmetric");
  for (std::size_t k = 0; k < sources.size(); ++k) {
    if (!weights.empty()) {
      spec.weight = weights[k];
      spec.has_weight = true;
    }
    if (!delays.empty()) {
      spec.delay_ms = delays[k];
      spec.has_delay = true;
    }
    if (!syn.receptor_name.empty()) {
      spec.receptor = named_receptor(*kernel_, targets[k], syn.receptor_name);
      spec.has_receptor = true;
    }
    kernel_->connect(sources[k], targets[k], spec);
  }
}

std::vector<ConnectionInfo> Simulator::get_connections(NodeId source, NodeId target,
                                                       const std::string& synapse_model) const {
  return kernel_->connections(source, target, synapse_model);
}

void Simulator::set_synapse_status(const std::string& synapse_model, const Dict& d) {
  kernel_->set_synapse_status(synapse_model, d);
}

void Simulator::simulate(double ms) { kernel_->simulate(ms); }
void Simulator::reset_network() { kernel_->reset_network(); }
double Simulator::time() const { return kernel_->biological_time(); }

namespace {
std::vector<double> times_ms(const Kernel& k, const RecordBatch& b) {
  std::vector<double> t;
  t.reserve(b.stamps.size());
  for (step_t s : b.stamps) t.push_back(k.grid().steps_to_ms(s));
  return t;
}
const RecordingDevice& device_of_kind(const Kernel& k, NodeId id, RecordKind kind, const char* what) {
  const RecordingDevice& dev = k.recorder(id);
  if (dev.kind() != kind) throw UserError("node " + std::to_string(id), std::string("is not a ") + what);
  return dev;
}
}  // namespace

SpikeData Simulator::spikes(NodeId spike_detector) const {
  const auto& m = device_of_kind(*kernel_, spike_detector, RecordKind::spikes, "spike_detector").memory();
  return {m.senders, times_ms(*kernel_, m)};
}

SampleData Simulator::samples(NodeId multimeter) const {
  const RecordingDevice& dev = device_of_kind(*kernel_, multimeter, RecordKind::samples, "multimeter");
  const auto& m = dev.memory();
  SampleData out{m.senders, times_ms(*kernel_, m), dev.value_names, {}};
  const std::size_t n = dev.value_names.size();
  out.values.assign(n, {});
  for (std::size_t r = 0; r < m.size(); ++r)
    for (std::size_t c = 0; c < n; ++c) out.values[c].push_back(m.values[r * n + c]);
  return out;
}

WeightData Simulator::weights(NodeId weight_recorder) const {
  const auto& m = device_of_kind(*kernel_, weight_recorder, RecordKind::weights, "weight_recorder").memory();
  return {m.senders, m.targets, times_ms(*kernel_, m), m.weights, m.receptors};
}

}  // namespace nestling
