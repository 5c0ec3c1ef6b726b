// The C++ API of nestling: build a network, simulate it, read what was recorded.
//
//   nestling::Simulator sim;
//   sim.set_kernel_status({{"resolution", 0.1}, {"local_num_threads", 2}});
//   auto gen = sim.create("spike_generator", 1, {{"spike_times", std::vector<double>{10.0, 20.0}}});
//   auto nrn = sim.create("ht_neuron", 10);
//   auto det = sim.create("spike_detector");
//   sim.connect(gen, nrn, nestling::Rule::all_to_all, {.model = "static_synapse", .weight = 2.0, .receptor = 1});
//   sim.connect(nrn, det);
//   sim.simulate(100.0);
//   auto spikes = sim.spikes(det[0]);
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#if defined(NESTLING_HAVE_MPI)
#include <mpi.h>
#endif

#include "nestling/errors.hpp"
#include "nestling/types.hpp"
#include "nestling/value.hpp"

namespace nestling {

class Kernel;

// Ids of nodes, in creation order.
class NodeCollection {
 public:
  NodeCollection() = default;
  NodeCollection(NodeId first, std::size_t n);
  explicit NodeCollection(std::vector<NodeId> ids) : ids_(std::move(ids)) {}
  std::size_t size() const { return ids_.size(); }
  bool empty() const { return ids_.empty(); }
  NodeId operator[](std::size_t i) const { return ids_[i]; }
  auto begin() const { return ids_.begin(); }
  auto end() const { return ids_.end(); }
  const std::vector<NodeId>& ids() const { return ids_; }

 private:
  std::vector<NodeId> ids_;
};

enum class Rule { all_to_all, one_to_one };

// NEST's conn_spec: the rule, and for one_to_one whether every connection s→t also gets its
// mirror t→s (make_symmetric; gap junctions need it). The mirrors are created after all s→t.
struct ConnSpec {
  Rule rule = Rule::all_to_all;
  bool make_symmetric = false;
};

// How new connections are made; unset fields take the synapse model's defaults.
struct SynSpec {
  std::string model = "static_synapse";
  std::optional<double> weight;
  std::optional<double> delay;  // ms
  std::optional<long> receptor;
  std::string receptor_name;  // alternatively the target's named port, e.g. "AMPA" for ht_neuron
  Dict state;  // per-connection state of the synapse model (e.g. {"P", 0.5} for ht_synapse)
};

struct SpikeData {
  std::vector<NodeId> senders;
  std::vector<double> times;  // ms
};

struct SampleData {
  std::vector<NodeId> senders;
  std::vector<double> times;  // ms
  std::vector<std::string> names;
  std::vector<std::vector<double>> values;  // one column per name
  const std::vector<double>& operator[](const std::string& name) const;
};

struct WeightData {
  std::vector<NodeId> senders;
  std::vector<NodeId> targets;
  std::vector<double> times;  // ms: the presynaptic spike time
  std::vector<double> weights;
  std::vector<long> receptors;
};

class Simulator {
 public:
  Simulator();
#if defined(NESTLING_HAVE_MPI)
  // Runs on the processes of `comm` (MPI initialised, MPI_THREAD_SERIALIZED or more). Every
  // process makes the same calls; each holds the nodes it owns and the connections onto them,
  // and recorders write one file per process.
  explicit Simulator(MPI_Comm comm);
#endif
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // Kernel: resolution, local_num_threads, rng_seed, data_path, data_prefix, overwrite_files, ...
  void set_kernel_status(const Dict& d);
  Dict kernel_status() const;

  // Models.
  std::vector<std::string> node_models() const;
  std::vector<std::string> synapse_models() const;
  void copy_model(const std::string& base, const std::string& name, const Dict& params = {});
  void set_defaults(const std::string& model, const Dict& params);
  Dict get_defaults(const std::string& model) const;

  // Nodes.
  NodeCollection create(const std::string& model, std::size_t n = 1, const Dict& params = {});
  void set_status(NodeId node, const Dict& d);
  void set_status(const NodeCollection& nodes, const Dict& d);
  Dict get_status(NodeId node) const;

  // Connections.
  void connect(const NodeCollection& sources, const NodeCollection& targets, Rule rule = Rule::all_to_all,
               const SynSpec& syn = {});
  void connect(const NodeCollection& sources, const NodeCollection& targets, const ConnSpec& conn,
               const SynSpec& syn = {});
  // Explicit lists: connection k goes from sources[k] to targets[k]; weights and delays may be
  // empty (model defaults) or have one entry per connection.
  void connect(const std::vector<NodeId>& sources, const std::vector<NodeId>& targets,
               const std::vector<double>& weights, const std::vector<double>& delays, const SynSpec& syn = {});
  std::vector<ConnectionInfo> get_connections(NodeId source = 0, NodeId target = 0,
                                              const std::string& synapse_model = "") const;
  // Sets weight or per-connection state on every connection of a synapse model.
  void set_synapse_status(const std::string& synapse_model, const Dict& d);

  // Simulation. Repeated calls continue where the last one ended.
  void simulate(double ms);
  void reset_network();
  double time() const;  // biological time in ms

  // Recorded data kept in memory (record_to contains "memory").
  SpikeData spikes(NodeId spike_detector) const;
  SampleData samples(NodeId multimeter) const;
  WeightData weights(NodeId weight_recorder) const;

  // The engine behind the API, for the frontend and tools that need more than this header.
  Kernel& kernel() { return *kernel_; }
  const Kernel& kernel() const { return *kernel_; }

 private:
  std::unique_ptr<Kernel> kernel_;
};

}  // namespace nestling
