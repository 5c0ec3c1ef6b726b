// A NodeGroup is a block of nodes of one model with consecutive ids (one Create call).
//
// Every node is owned by exactly one thread of one process: the group is cut into one contiguous
// chunk per virtual process (process × thread). A node has a number of input ring buffers (one per receptor port, plus one for
// current input where the model takes it); they live in the owning thread's buffer arena.
// During a slice each thread calls update() on its chunk; nodes put what they emit (spikes,
// Poisson rates, currents) into the thread's emission register, which the kernel delivers
// at the end of the slice.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "engine/ode/integration_failure.hpp"
#include "engine/param_table.hpp"
#include "engine/rng.hpp"
#include "engine/time_grid.hpp"
#include "nestling/types.hpp"
#include "nestling/value.hpp"

namespace nestling {

enum class NodeKind { neuron, stimulator, recorder };

// What a node's outgoing connections carry.
enum class EventKind : std::uint8_t {
  spike,    // value = multiplicity
  poisson,  // value = λ: each target draws its own multiplicity from its node stream
  current,  // value = amplitude (pA or model units)
  none,     // the node emits nothing (recorders)
};

struct Emission {
  NodeId source;
  std::uint32_t lag;
  EventKind kind;
  // Spikes of nodes with proxies (NodeGroup::has_proxies) pass NEST's spike register, which holds
  // a spike of multiplicity n as n entries: each synapse then runs its rule n times.
  bool repeats_per_multiplicity = false;
  double value;
  double scale = 1.0;  // multiplies the connection weight (spike_generator's spike_weights)
};
// The canonical order of a slice's emissions: by source, then lag.
inline bool emission_before(const Emission& a, const Emission& b) {
  return a.source != b.source ? a.source < b.source : a.lag < b.lag;
}

class NodeModel;
class SampleRegister;

// Thread-local facts about a connection target, indexed by the target's local index.
struct TargetInfo {
  std::size_t arena_offset = 0;  // first double of the node's ring buffers
  NodeId gid = 0;
  std::int32_t rng = -1;         // index into the thread's node streams, -1 if none
  std::uint8_t count_mask = 0;   // buffers that count multiplicity instead of weight
  std::uint8_t stream_mask = 0;  // buffers whose connections give the node its own stream
  std::size_t gap_offset = 0;    // first double of the node's gap-junction input, if it has any
};


struct UpdateContext {
  int thread = 0;
  step_t origin = 0;  // first step of the slice (T0)
  int from = 0;       // lags [from, to) are integrated in this call
  int to = 0;
  int ring_len = 1;
  int min_delay = 1;        // steps per slice
  double* arena = nullptr;  // this thread's input buffers: slot-major, arena_stride per slot
  std::size_t arena_stride = 0;
  double* gap_arena = nullptr;  // this thread's gap-junction inputs (NodeGroup::gap_inputs)
  const TimeGrid* grid = nullptr;
  std::vector<Emission>* emissions = nullptr;
  SampleRegister* samples = nullptr;
  const TargetInfo* targets = nullptr;  // this thread's targets, by thread-local index
  Rng* streams = nullptr;               // this thread's node streams (TargetInfo::rng)

  bool sender_has_proxies = false;  // set by the kernel for the group being updated (Emission)

  int slot(int lag) const { return static_cast<int>((origin + lag) % ring_len); }
  // The slot after `s` (slot(lag + 1) from slot(lag), without a division).
  int next_slot(int s) const { return s + 1 == ring_len ? 0 : s + 1; }
  // The own random stream of the node with thread-local index `local`; only nodes that asked
  // for one (NodeGroup::stream_mask) have it.
  Rng& node_stream(std::uint32_t local) const { return streams[targets[local].rng]; }
  void emit(NodeId gid, int lag, EventKind kind, double value, double scale = 1.0) const {
    emissions->push_back({gid, static_cast<std::uint32_t>(lag), kind, sender_has_proxies, value, scale});
  }
};

// Facts every node may need when a Simulate call starts (NEST's calibrate()).
struct CalibrationContext {
  const TimeGrid* grid = nullptr;
  std::uint64_t seed = 1;  // the kernel's seed, for nodes that draw from their own stream
};

// A multimeter's request to sample some recordables of some nodes on a grid of stamps.
struct SamplingRequest {
  std::size_t recorder_index = 0;  // index into the kernel's multimeter list
  step_t interval = 10;
  step_t offset = 0;
  std::vector<int> recordables;  // indices into the group's recordables()
  bool due(step_t stamp) const { return stamp > 0 && stamp >= offset && (stamp - offset) % interval == 0; }
};

// How a group is cut over the virtual processes (processes x threads): one contiguous chunk per
// virtual process, the n % n_virtual larger ones starting at first_vp; this process owns the
// chunks [vp_offset, vp_offset + local_threads). The default: one process, one thread.
struct VpLayout {
  int n_virtual = 1;
  int first_vp = 0;
  int vp_offset = 0;
  int local_threads = -1;  // -1: all of them
};

class NodeGroup {
 public:
  // The layout is fixed at creation, so that a model allocates state for its own nodes only.
  NodeGroup(const NodeModel& model, NodeId first, std::size_t n, const VpLayout& layout = {});
  virtual ~NodeGroup();
  NodeGroup(const NodeGroup&) = delete;
  NodeGroup& operator=(const NodeGroup&) = delete;

  const NodeModel& model() const { return *model_; }
  const std::string& model_name() const;
  NodeId first_gid() const { return first_; }
  std::size_t size() const { return n_; }
  bool contains(NodeId gid) const { return gid >= first_ && gid < first_ + n_; }
  std::size_t index_of(NodeId gid) const { return static_cast<std::size_t>(gid - first_); }

  virtual NodeKind kind() const = 0;

  // Gives the group the kernel's time grid and clock; called right after creation.
  void attach(const TimeGrid* grid, std::function<step_t()> now) {
    grid_ = grid;
    now_ = std::move(now);
  }
  const TimeGrid& grid() const { return *grid_; }
  step_t now() const { return now_ ? now_() : 0; }
  // What this node's outgoing connections transmit.
  virtual EventKind output_event() const { return EventKind::spike; }
  // NEST 2.20 sends the spikes of neurons (and of a few devices) through the spike register, so a
  // spike of multiplicity n reaches every synapse as n spikes; stimulating devices without
  // proxies deliver it once, with multiplicity n.
  virtual bool has_proxies() const { return kind() == NodeKind::neuron; }

  // Parameters and state of node i. set_status is transactional: on error nothing changes.
  virtual void set_status(std::size_t i, const Dict& d) = 0;
  virtual Dict get_status(std::size_t i) const = 0;

  // Input side: ring buffers per node and how receptor numbers map to them.
  virtual int num_buffers() const { return 0; }
  // Buffer receiving spikes on `receptor`; throws UserError if the port does not take spikes.
  virtual int spike_buffer(long receptor) const;
  // Buffer receiving currents on `receptor`; throws UserError if the port does not take currents.
  virtual int current_buffer(long receptor) const;
  // Receptor number that maps to `buffer` (for reporting connections).
  virtual long receptor_of_buffer(int buffer) const { return buffer; }
  // Whether input on `buffer` scales a conductance: a negative weight there is a negative
  // conductance, which NEST accepts but which can drive the dynamics to diverge.
  virtual bool conductance_buffer(int /*buffer*/) const { return false; }
  // Bit b set: buffer b counts multiplicities and ignores weights (parrot_neuron).
  virtual std::uint8_t count_mask() const { return 0; }
  // Bit b set: a connection into buffer b gives the target node its own random stream (keyed
  // by its id, as for Poisson input), which update() draws from via UpdateContext::node_stream.
  // Nodes without such a connection get no stream and cost nothing.
  virtual std::uint8_t stream_mask() const { return 0; }
  // Named receptor ports (AMPA → 1, ...), reported as receptor_types.
  virtual Dict receptor_types() const { return {}; }
  // Gap junctions (engine/gap_coupling.hpp): whether the model takes part in them, and the value
  // a coupled node sends its partners at the end of every slice (its V_m).
  virtual bool has_gap_junctions() const { return false; }
  virtual double gap_output(std::size_t) const { return 0.0; }

  // Simulation hooks.
  virtual void init_buffers() {}  // before the first Simulate and after reset_network
  virtual void reset_state() {}   // reset_network: state back to the model's defaults
  virtual void calibrate(const CalibrationContext&) {}  // at the start of every Simulate
  virtual void update(UpdateContext& ctx, std::size_t begin, std::size_t end) = 0;
  // How many consecutive nodes the group updates together (SIMD lanes): the kernel hands
  // update() ranges of whole blocks where it can. Known after calibrate.
  virtual std::size_t update_block() const { return 1; }

  // Bytes of parameters and state the group holds (ring buffers are counted by the kernel).
  virtual std::size_t state_bytes() const { return 0; }
  // How many nodes' state that is: all of them, or this process's own (neurons under MPI).
  virtual std::size_t state_nodes() const { return n_; }

  // Recordables for the multimeter.
  virtual const std::vector<std::string>& recordables() const;
  virtual double recordable_value(std::size_t i, int which) const;

  // --- layout over virtual processes (process × thread, see VpLayout) ---
  // Threads below are this process's.
  int vp_of(std::size_t i) const;
  // The thread of this process that owns node i, or -1 if another process owns it.
  int thread_of(std::size_t i) const;
  bool is_local(std::size_t i) const { return i >= local_begin_ && i < local_end_; }
  std::size_t chunk_begin(int thread) const { return chunk_begin_[static_cast<std::size_t>(vp_offset_ + thread)]; }
  std::size_t chunk_end(int thread) const { return chunk_begin_[static_cast<std::size_t>(vp_offset_ + thread + 1)]; }
  // The nodes this process owns: [local_begin(), local_end()), contiguous.
  std::size_t local_begin() const { return local_begin_; }
  std::size_t local_end() const { return local_end_; }
  std::size_t local_size() const { return local_end_ - local_begin_; }
  // Thread-local target index of node i's first... set when the thread's target table is built.
  void set_local_base(int thread, std::uint32_t base) { local_base_[thread] = base; }
  std::uint32_t local_base(int thread) const { return local_base_[thread]; }  // of chunk_begin(thread)
  std::uint32_t local_index(std::size_t i) const {
    const int t = thread_of(i);
    return local_base_[t] + static_cast<std::uint32_t>(i - chunk_begin(t));
  }
  void set_arena_offset(int thread, std::size_t offset) { arena_offset_[thread] = offset; }
  std::size_t arena_offset(int thread) const { return arena_offset_[thread]; }
  // The input buffers of node i (owned by ctx.thread) at ring slot `slot`: buffer b is [b].
  // Slot-major, so that one step of a group reads its nodes' buffers in one sweep.
  double* inputs(const UpdateContext& ctx, std::size_t i, int slot) const {
    return ctx.arena + static_cast<std::size_t>(slot) * ctx.arena_stride + arena_offset_[ctx.thread] +
           (i - chunk_begin(ctx.thread)) * static_cast<std::size_t>(num_buffers());
  }

  // The gap-junction input of node i (owned by ctx.thread) for the present slice: the sum of the
  // incoming weights S at [lag], the weighted sum of the partners' values P at [min_delay + lag].
  // The node clears what it has read, and the lags after its update call (NEST forgets the
  // slice's gap input when a call ends).
  void set_gap_offset(int thread, std::size_t offset) { gap_offset_[thread] = offset; }
  double* gap_inputs(const UpdateContext& ctx, std::size_t i) const {
    return ctx.gap_arena + gap_offset_[ctx.thread] + (i - chunk_begin(ctx.thread)) * 2 * static_cast<std::size_t>(ctx.min_delay);
  }

  // --- multimeter sampling ---
  void add_sampling(std::size_t i, const SamplingRequest& request);
  bool sampled(std::size_t i) const { return !sampled_.empty() && sampled_[i - local_begin()] != 0; }
  // Whether any of the group's nodes has a sample due at `stamp`: checked once per step, so
  // that models skip their per-node sampling work at the other steps.
  bool sampling_due(step_t stamp) const {
    for (const SamplingRequest& q : requests_)
      if (q.due(stamp)) return true;
    return false;
  }
  // Records the due samples of node i at `stamp` into the thread's sample register.
  void sample(const UpdateContext& ctx, std::size_t i, step_t stamp) const;
  void clear_sampling();

 protected:
  // Turns an integrator's failure in node i's step `lag` into an IntegrationError naming the node,
  // the biological time and the state variable (`state_names` indexed like the state vector).
  [[noreturn]] void integration_failed(const UpdateContext& ctx, std::size_t i, int lag,
                                       const ode::IntegrationFailure& failure,
                                       std::span<const char* const> state_names) const;
  // Helper for set_status: rejects unknown keys, listing the model's valid parameter names.
  void reject_unknown(const Dict& d, const std::vector<std::string>& consumed,
                      const std::vector<ParamSpec>& valid) const;

 private:
  void set_layout(const VpLayout& layout);

  const NodeModel* model_;
  const TimeGrid* grid_ = nullptr;
  std::function<step_t()> now_;
  NodeId first_;
  std::size_t n_;
  std::vector<std::size_t> chunk_begin_{0, 0};  // by virtual process
  int vp_offset_ = 0, local_threads_ = 1;
  std::size_t local_begin_ = 0, local_end_ = 0;  // from chunk_begin_, read on hot paths
  std::vector<std::uint32_t> local_base_{0};
  std::vector<std::size_t> arena_offset_{0};
  std::vector<std::size_t> gap_offset_{0};
  // Sampling of this process's nodes, by i - local_begin().
  std::vector<std::uint8_t> sampled_;
  std::vector<SamplingRequest> requests_;
  std::vector<std::vector<std::uint16_t>> node_requests_;  // per node: indices into requests_
};

// Per-thread buffer for multimeter samples taken during a slice.
class SampleRegister {
 public:
  struct Buffer {
    std::vector<NodeId> senders;
    std::vector<step_t> stamps;
    std::vector<double> values;  // row-major, recordables.size() per sample
    void clear() {
      senders.clear();
      stamps.clear();
      values.clear();
    }
  };
  void resize(std::size_t n_multimeters) { buffers_.resize(n_multimeters); }
  Buffer& buffer(std::size_t recorder_index) { return buffers_[recorder_index]; }
  std::size_t size() const { return buffers_.size(); }

 private:
  std::vector<Buffer> buffers_;
};

}  // namespace nestling
