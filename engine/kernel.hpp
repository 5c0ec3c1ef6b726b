// The simulation kernel: time, nodes, connections, threads, spike delivery, recording.
//
// Timing follows NEST 2.20 (spec §7): the run advances in slices of min_delay steps; inside a
// slice every thread updates the nodes it owns; at the slice end the emitted events are put
// in a fixed order (by source id, then lag) and each thread delivers them to the connections
// it stores. Results therefore do not depend on the number of threads.
//
// Under MPI (a Communicator of several processes) the nodes are cut over processes × threads
// (virtual processes); a process updates its own nodes and stores only the connections onto
// them, and at every slice end the processes gather each other's emissions (and the values of
// gap-junction sources) before delivering. Results do not depend on the number of processes.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/communicator.hpp"
#include "engine/connection_table.hpp"
#include "engine/gap_coupling.hpp"
#include "engine/model_registry.hpp"
#include "engine/recorder_group.hpp"
#include "engine/recording.hpp"

namespace nestling {

// This machine's physical memory in bytes (0 if unknown): networks that need more are refused.
double physical_memory();

struct KernelSettings {
  double resolution = 0.1;
  int threads = 1;
  std::uint64_t seed = 1;
  bool overwrite_files = false;
  std::string data_path;
  std::string data_prefix;
  bool print_time = false;
  // NEST 2.20's waveform-relaxation settings. nestling's gap-junction models do not iterate
  // (neither do NEST's sleep-model neurons), so only wfr_comm_interval acts: the first gap
  // junction makes it a delay of the network, which bounds min_delay (spec mc-sleep §3).
  bool use_wfr = true;
  double wfr_comm_interval = 1.0;  // ms
  double wfr_tol = 1e-4;
  long wfr_max_iterations = 15;
  long wfr_interpolation_order = 3;
};

// What one thread owns: its connections, its nodes' input buffers and streams, and the
// registers it fills during a slice.
struct KernelThread {
  ThreadConnections connections;
  GapCouplings gaps;                // gap junctions onto the thread's nodes
  std::vector<TargetInfo> targets;  // by thread-local target index
  std::vector<double> arena;        // input ring buffers of the thread's nodes, slot-major
  std::size_t arena_stride = 0;     // buffers per slot
  std::vector<double> gap_arena;    // gap-junction inputs of the thread's coupled nodes
  std::vector<Rng> rngs;            // node streams: Poisson input, stochastic models
  std::vector<Emission> emissions;
  std::size_t recorded = 0;  // emissions already shown to spike detectors
  SampleRegister samples;
  std::vector<WeightEvent> weight_events;
  std::uint64_t synaptic_events = 0;  // events delivered through this thread's connections
  double busy_s = 0;                  // wall-clock seconds updating and delivering
};

// Wall-clock seconds spent in each phase, for `--timings` and the benchmarks.
struct PhaseTimes {
  double create = 0, connect = 0, prepare = 0, simulate = 0, write = 0;
  // Within simulate: MPI collectives at slice boundaries, including the wait for slower processes.
  double exchange = 0;
  // Simulate time spent updating and delivering (neither writing nor exchanging).
  double computing() const { return simulate - write - exchange; }
  // Per virtual thread of this process: seconds updating its nodes and delivering to them. The
  // spread shows load imbalance; computing() minus the largest is serial work and waiting.
  std::vector<double> busy_per_thread;
};

class Kernel {
 public:
  Kernel();
  ~Kernel();
  Kernel(const Kernel&) = delete;
  Kernel& operator=(const Kernel&) = delete;

  ModelRegistry& models() { return models_; }
  const ModelRegistry& models() const { return models_; }
  RecordingBackends& backends() { return backends_; }

  // --- settings ---
  void set_status(const Dict& d);
  Dict status() const;
  const KernelSettings& settings() const { return settings_; }
  const TimeGrid& grid() const { return grid_; }
  int threads() const { return settings_.threads; }  // of this process
  // The processes of the run; set before any node is created.
  void set_communicator(Communicator comm);
  const Communicator& communicator() const { return comm_; }
  int virtual_processes() const { return settings_.threads * comm_.size(); }
  std::uint64_t seed() const { return settings_.seed; }

  // --- models ---
  void copy_model(const std::string& base, const std::string& name, const Dict& params);
  void set_defaults(const std::string& model, const Dict& params);
  Dict get_defaults(const std::string& model) const;
  bool synapse_model_in_use(int id) const;

  // --- nodes ---
  // Creates n nodes of `model`; returns the first id. Ids are consecutive.
  NodeId create(const std::string& model, std::size_t n, const Dict& params = {});
  // Takes one id without creating a node (NEST's layer subnet node).
  NodeId reserve_id() { return next_gid_++; }
  NodeId max_gid() const { return next_gid_ - 1; }
  NodeGroup& group_of(NodeId gid) const;
  // Whether this process owns node gid (always, on a single process).
  bool is_local(NodeId gid) const {
    const NodeGroup& g = group_of(gid);
    return g.is_local(g.index_of(gid));
  }
  NodeGroup* find_group(NodeId gid) const;
  const std::vector<std::unique_ptr<NodeGroup>>& groups() const { return groups_; }
  void set_node_status(NodeId gid, const Dict& d);
  Dict get_node_status(NodeId gid) const;
  RecordingDevice& recorder(NodeId gid) const;
  // The description recorder `gid`'s back-ends get when they open, as the kernel stands now.
  RecorderDescription describe_recorder(NodeId gid) const { return recorder(gid).describe(recording_context()); }

  // --- connections ---
  struct SynapseSpec {
    int model = -1;  // synapse model id; -1 = static_synapse
    double weight = 0;
    double delay_ms = 0;
    long receptor = 0;
    const Dict* state = nullptr;  // per-connection state keys (e.g. P)
    bool has_weight = false, has_delay = false, has_receptor = false;
  };
  // A checked single connection. Dispatches to recorder links where needed.
  void connect(NodeId source, NodeId target, const SynapseSpec& spec);
  // Bulk connections for builders (topology): the caller has checked the source kind, found the
  // target's thread-local index and input buffer (NodeGroup::local_index, spike_buffer) and
  // converted the delay. Thread-safe when each thread passes only targets it owns. Call
  // finish_bulk_connect(model) once afterwards, outside any parallel region.
  void connect_resolved(int thread, NodeId source, EventKind source_kind, const SynapseModel& model,
                        std::uint32_t target_local, std::uint8_t buffer, double weight, std::uint16_t delay_steps,
                        const Dict* state = nullptr) {
    KernelThread& ts = *threads_[static_cast<std::size_t>(thread)];
    ts.connections.add(source, model, target_local, buffer, weight, delay_steps, state);
    TargetInfo& target = ts.targets[target_local];
    const bool needs_stream = source_kind == EventKind::poisson || ((target.stream_mask >> buffer) & 1u) != 0;
    if (needs_stream && target.rng == -1) target.rng = -2;  // prepare() creates the stream
  }
  void finish_bulk_connect(const SynapseModel& model);
  // Numbers layer-to-layer projections in creation order: part of their random streams' keys.
  std::uint64_t next_projection_ordinal() { return projections_made_++; }
  // Delay in steps, checked against the resolution and the fixed range after a Simulate.
  std::uint16_t delay_steps(double delay_ms, const std::string& where) const;
  const SynapseModel& synapse_model(int id) const { return models_.synapse_model(id); }
  int synapse_model_id(const std::string& name) const { return models_.synapse_model(name).id(); }
  std::vector<ConnectionInfo> connections(NodeId source = 0, NodeId target = 0,
                                          const std::string& synapse_model = "");
  ConnectionArrays connection_columns(const ConnectionFilter& filter);
  std::size_t num_connections() const;  // of this process (and every recorder link)
  // Totals over all processes; collective: every process must call them.
  std::size_t total_connections() const;
  std::uint64_t total_spikes_emitted(NodeId first, std::size_t n) const;
  std::size_t connection_bytes() const;
  void set_synapse_status(const std::string& synapse_model, const Dict& d);
  // Throws the error set_synapse_status would throw, changing nothing.
  void check_synapse_status(const std::string& synapse_model, const Dict& d) const;

  // --- simulation ---
  void simulate(double ms);
  void prepare();
  void run(step_t steps);
  void cleanup();
  void reset_network();
  step_t clock_steps() const { return clock_ + from_step_; }
  double biological_time() const { return grid_.steps_to_ms(clock_steps()); }
  int min_delay() const { return min_delay_; }
  int max_delay() const { return max_delay_; }
  // Asks a running simulation to stop at the next slice boundary, or within about a second in
  // a slice that runs longer (the slice is then given up and the kernel cannot simulate on).
  // Async-signal-safe.
  void request_stop() { stop_requested_.store(true, std::memory_order_relaxed); }
  bool stop_pending() const { return stop_requested_.load(std::memory_order_relaxed); }
  bool stopped() const { return stopped_; }
  // Records still pending at the end of the run (NEST drops them; see docs/recording).
  void flush_pending();
  // Called once per completed slice by the master thread with the clock after the slice.
  void set_progress_callback(std::function<void(step_t)> cb) { progress_ = std::move(cb); }

  PhaseTimes& times() { return times_; }
  std::uint64_t synaptic_events() const;
  // Spikes nodes [first, first + n) emitted in all simulations so far (multiplicities counted).
  std::uint64_t spikes_emitted(NodeId first, std::size_t n) const;
  // Memory estimates for refusing networks before they are built: the bytes one node of `model`
  // holds (state, parameters, `ring_len` slots of each input buffer), and one connection of
  // `synapse_model` while the network is built.
  std::size_t node_bytes_estimate(const std::string& model, int ring_len) const;
  std::size_t connection_bytes_estimate(const std::string& synapse_model) const;
  // Node memory: parameters, state and input ring buffers (ring buffers sized as prepare() would).
  std::size_t node_bytes() const;
  std::vector<std::pair<std::string, double>> bytes_per_node_by_model() const;
  // Sorts new connections into the delivery tables without preparing a simulation.
  void finalize_connections();
  // Flushes and closes every recorder's files (the end of a run).
  void close_recorders();

 private:
  // One connection as the queries see it: a synapse (store, index) or a gap junction (weight).
  struct ConnectionRef {
    NodeId source, target;
    int model;
    const SynapseStore* store;  // nullptr for a gap junction
    std::uint32_t index;
    double gap_weight;
  };
  // Visits the connections of `filter` thread by thread (synapses, then gap junctions); the
  // connections of one pair share a thread, so a stable sort by (source, target) fixes the order.
  void visit_connections(const ConnectionFilter& filter, const std::function<void(const ConnectionRef&)>& f);
  struct DetectorLink {
    NodeId source;
    RecordingDevice* detector;
  };

  void check_can_change_layout(const std::string& key) const;
  void apply_wfr_setting(KernelSettings& next, const std::string& key, const Value& v) const;
  void check_fits_in_memory(const NodeModel& model, std::size_t n) const;
  void register_targets(NodeGroup& g);
  void link_detector(NodeId source, NodeGroup& src_group, RecorderGroup& det, std::size_t det_index);
  void link_multimeter(RecorderGroup& mm, std::size_t mm_index, NodeGroup& target, std::size_t target_index);
  void connect_gap(NodeId source, const NodeGroup& src, NodeId target, const NodeGroup& tgt, const SynapseModel& model,
                   const SynapseSpec& spec);
  // wfr_comm_interval in steps: the delay every gap junction stands for.
  int gap_interval_steps() const;
  void note_delay(std::uint16_t d);
  void layout_arenas();
  void advance(int to_step);  // after a slice (part): the clock, pending weight events, progress
  // The slice's emissions, once every thread has sent its own: each thread's register sorted by
  // (source, lag); delivery walks them merged, in an order independent of the thread count.
  void sort_emissions();
  template <class F>
  void visit_emissions_in_order(F&& f) const {
    if (comm_.distributed()) {
      for (const Emission& e : global_emissions_) f(e);
      return;
    }
    if (threads_.size() == 1) {
      for (const Emission& e : threads_[0]->emissions) f(e);
      return;
    }
    std::vector<std::size_t> next(threads_.size(), 0);
    while (true) {  // a merge of the registers (a source sends from one thread only: no ties)
      const Emission* first = nullptr;
      std::size_t from = 0;
      for (std::size_t t = 0; t < threads_.size(); ++t) {
        const auto& reg = threads_[t]->emissions;
        if (next[t] < reg.size() && (first == nullptr || emission_before(reg[next[t]], *first))) {
          first = &reg[next[t]];
          from = t;
        }
      }
      if (first == nullptr) return;
      f(*first);
      ++next[from];
    }
  }
  void clear_emissions();
  // Distributed runs (kernel_exchange.cpp). At the start of every update call the processes
  // agree whether to go on: any failure, or a stop asked of any process at a slice boundary,
  // ends the run everywhere. Returns false if another process failed.
  bool agree_to_continue(bool failed_here, bool& stop_now);
  // At a slice end: every process's emissions, in canonical order, into global_emissions_,
  // and the values of gap-junction sources other processes need.
  void exchange_slice();
  // After connections change: which local gap-junction sources other processes need.
  void plan_gap_exchange();
  // Drops what the threads registered in the present slice (emissions, samples, weight events):
  // after reset_network, or when a slice is given up half-way (the recorders then end with the
  // last complete slice).
  void clear_thread_registers();
  void record_spikes();
  void commit_samples();
  void commit_weight_events();
  RecordingContext recording_context() const;
  // The (min, max) delay in steps: fixed at the first Simulate, planned from the connections before.
  std::pair<int, int> delay_extent() const;
  // The smallest and largest delay of this process's connections and recorder links (lo > hi if none).
  std::pair<int, int> delay_bounds() const;

  ModelRegistry models_;
  RecordingBackends backends_;
  Communicator comm_;
  std::vector<Emission> global_emissions_;  // distributed: the slice's emissions of every process
  std::vector<NodeId> gap_exports_;         // local gap-junction sources other processes need, ascending
  std::vector<NodeId> gap_imports_;         // ids of the gap values received, in arrival order
  std::vector<double> gap_values_;          // the received values, by arrival position
  KernelSettings settings_;
  TimeGrid grid_;
  std::vector<std::unique_ptr<NodeGroup>> groups_;
  NodeId next_gid_ = 1;
  std::vector<std::unique_ptr<KernelThread>> threads_;

  std::vector<DetectorLink> detector_links_;  // in connection order
  std::vector<std::uint32_t> detector_begin_; // CSR by source id into detector_targets_
  std::vector<RecordingDevice*> detector_targets_;
  std::map<std::pair<NodeId, NodeId>, Rng> detector_rngs_;  // (detector, Poisson source) streams
  std::size_t multimeter_links_ = 0;
  std::uint64_t projections_made_ = 0;
  std::vector<RecordingDevice*> multimeters_;
  std::vector<RecordingDevice*> weight_recorders_;
  std::vector<std::uint8_t> synapse_used_;
  bool has_gaps_ = false;  // a gap junction exists: wfr_comm_interval counts as a delay

  int min_delay_ = 1, max_delay_ = 1, ring_len_ = 2;
  int recorder_min_delay_ = 1 << 30, recorder_max_delay_ = 0;
  bool simulated_ = false;
  bool connections_dirty_ = false;
  std::size_t groups_initialised_ = 0;  // groups_[0, n) have had init_buffers since the last reset
  step_t clock_ = 0;
  int from_step_ = 0;
  std::vector<std::uint32_t> spike_counts_;                // by node id: spikes emitted so far
  std::vector<std::vector<WeightEvent>> pending_weights_;  // per weight recorder, this slice
  std::atomic<bool> stop_requested_{false};
  bool stopped_ = false;
  bool broken_ = false;  // a simulation failed mid-slice
  std::function<void(step_t)> progress_;
  PhaseTimes times_;
};

}  // namespace nestling
