// Synapse models and their per-thread connection stores.
//
// A synapse model (static_synapse, ht_synapse or a named copy) owns the defaults every new
// connection starts from. Connections live on the thread that owns their target, one store
// per (thread, synapse model), as structure-of-arrays sorted by source: delivering a spike
// walks a contiguous range and writes only to buffers the thread owns.
//
// A synapse policy `Syn` (see models/static_synapse.hpp, models/ht_synapse.hpp) provides:
//   struct Defaults;                  // model-level parameters and initial per-synapse state
//   struct State;                     // per-connection state (empty struct if none)
//   static constexpr bool has_state;
//   static const ParamBinder<Defaults>& binder();
//   static void validate(const Defaults&, const std::string& model);
//   static State initial_state(const Defaults&);
//   static std::vector<std::string> state_keys();          // settable per connection
//   static void set_state(State&, const Dict&, const std::string& model);
//   static void report_state(const State&, Dict&);
//   static double efficacy(const Defaults&, State&, double stamp_ms);  // advances; weight × result is sent
//   static constexpr bool secondary;  // optional: true for gap junctions (no delay, no spikes)
//
// A stateful synapse's state depends only on its model's parameters, its initial value and the
// spike times of its source, so all connections of one source in a store share one state while
// they start alike (shared mode: a state per source run, advanced once per spike). A connection
// given its own initial state, or added once states have advanced or been set, switches the
// store to one state per connection.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "engine/node_group.hpp"
#include "engine/param_table.hpp"
#include "engine/reorder.hpp"
#include "engine/rng.hpp"
#include "engine/weight_column.hpp"
#include "nestling/types.hpp"

namespace nestling {

struct WeightEvent {
  std::size_t recorder = 0;
  NodeId sender = 0;
  NodeId target = 0;
  step_t stamp = 0;
  double weight = 0.0;
  long receptor = 0;
};

struct DeliveryContext {
  double* arena = nullptr;  // slot-major: [slot * arena_stride + TargetInfo::arena_offset + buffer]
  std::size_t arena_stride = 0;
  double* gap_arena = nullptr;
  int ring_len = 1;
  const TargetInfo* targets = nullptr;
  Rng* rngs = nullptr;
  std::vector<WeightEvent>* weight_events = nullptr;
  const TimeGrid* grid = nullptr;
};

// Model-level parameters every synapse model has.
struct SynapseCommon {
  double weight = 1.0;
  double delay = 1.0;  // ms
  long receptor_type = 0;
  long weight_recorder = -1;  // gid of a weight_recorder, -1 for none
  long synapse_label = -1;    // *_lbl models only: a label for selecting connections
};

class SynapseStore;

class SynapseModel {
 public:
  SynapseModel(std::string name, std::string base) : name_(std::move(name)), base_(std::move(base)) {}
  virtual ~SynapseModel() = default;

  const std::string& name() const { return name_; }
  const std::string& base_name() const { return base_; }
  int id() const { return id_; }
  void set_id(int id) { id_ = id; }

  const SynapseCommon& common() const { return common_; }
  // NEST's *_lbl variants accept a synapse_label.
  void set_labelled(bool on) { labelled_ = on; }
  std::vector<ParamSpec> parameters() const;
  Dict defaults() const;
  // Transactional; model-level parameters that all connections share cannot change once
  // connections of this model exist (`has_connections`).
  void set_defaults(const Dict& d, bool has_connections);
  virtual std::unique_ptr<SynapseModel> copy(const std::string& new_name) const = 0;
  virtual std::unique_ptr<SynapseStore> make_store() const = 0;
  virtual std::string documentation() const = 0;
  // Keys accepted per connection besides weight, delay and receptor_type.
  virtual std::vector<std::string> connection_state_keys() const = 0;
  // A secondary model (gap_junction) couples continuous values between nodes once per slice
  // instead of transmitting spikes; its connections have no delay (engine/gap_coupling.hpp).
  virtual bool secondary() const { return false; }

 protected:
  virtual std::vector<ParamSpec> specific_parameters() const = 0;
  virtual void specific_defaults(Dict& out) const = 0;
  // Applies model-specific keys; returns consumed keys. Must not commit on error.
  virtual std::vector<std::string> apply_specific(const Dict& d, bool has_connections) = 0;
  SynapseCommon common_;
  bool labelled_ = false;

 private:
  std::string name_;
  std::string base_;
  int id_ = -1;
};

// A thread's connections of one synapse model.
class SynapseStore {
 public:
  virtual ~SynapseStore() = default;

  // Queues a connection; `state` holds per-connection state keys (may be null).
  virtual void add(NodeId source, std::uint32_t target, std::uint8_t buffer, double weight, std::uint16_t delay,
                   const Dict* state) = 0;
  // Sorts everything added so far by source (stable) and returns the runs (source, begin, end).
  struct Run {
    NodeId source;
    std::uint32_t begin;
    std::uint32_t end;
  };
  virtual std::vector<Run> finalize() = 0;
  // Delivers `e` to connections [begin, end), which form run number `run` of finalize().
  virtual void deliver(const Emission& e, std::uint32_t begin, std::uint32_t end, std::uint32_t run, step_t stamp,
                       DeliveryContext& ctx) = 0;
  virtual std::size_t size() const = 0;
  virtual std::size_t bytes_per_connection() const = 0;  // what each connection costs (shared state aside)
  virtual std::size_t bytes() const = 0;                 // everything the store holds
  virtual void report(std::uint32_t k, ConnectionInfo& out) const = 0;
  // SetStatus on every connection of this store: weight and per-connection state keys.
  virtual void set_all(const Dict& d, const std::string& model) = 0;
  std::uint8_t buffer(std::uint32_t k) const { return buffer_[k]; }
  std::uint32_t target(std::uint32_t k) const { return target_[k]; }
  std::uint16_t delay(std::uint32_t k) const { return delay_[k]; }

  void set_weight_recorder(long recorder_index) { weight_recorder_ = recorder_index; }

 protected:
  std::vector<std::uint32_t> pending_source_;  // sources of connections not yet finalized
  std::vector<Run> runs_;               // finalized ranges by source
  std::vector<std::uint32_t> target_;
  std::vector<std::uint8_t> buffer_;
  std::vector<std::uint16_t> delay_;
  WeightColumn weight_;
  long weight_recorder_ = -1;
};

template <class Syn>
class SynapseStoreOf final : public SynapseStore {
 public:
  using Defaults = typename Syn::Defaults;
  using State = typename Syn::State;

  explicit SynapseStoreOf(const Defaults* defaults) : defaults_(defaults) {}

  void add(NodeId source, std::uint32_t target, std::uint8_t buffer, double weight, std::uint16_t delay,
           const Dict* state) override {
    if constexpr (Syn::has_state) {
      if (state) {
        State s = Syn::initial_state(*defaults_);
        Syn::set_state(s, *state, "");  // may throw: before anything is stored
        if (shared_) unshare();
        state_.push_back(s);
      } else if (!shared_) {
        state_.push_back(Syn::initial_state(*defaults_));
      }
    }
    pending_source_.push_back(static_cast<std::uint32_t>(source));  // ids fit: Kernel::create caps them
    target_.push_back(target);
    buffer_.push_back(buffer);
    delay_.push_back(delay);
    weight_.push_back(weight);
  }

  std::vector<Run> finalize() override {
    if (pending_source_.empty()) return runs_;  // nothing new: runs and their shared states stand
    // New connections start from the initial state, which older ones may have left: one state each.
    if constexpr (Syn::has_state)
      if (shared_ && moved_) unshare();
    const std::size_t n = target_.size();
    // Counting sort by source (ids are dense): linear, and stable, so connections of one source
    // keep their creation order. Sources come from the finalized runs, then the pending ones
    // (no array of all sources: the peak while building stays near the stored size).
    NodeId top = 0;
    for (const Run& r : runs_) top = std::max(top, r.source);
    for (std::uint32_t s : pending_source_) top = std::max<NodeId>(top, s);
    std::vector<std::uint32_t> start(static_cast<std::size_t>(top) + 2, 0);
    for (const Run& r : runs_) start[r.source + 1] += r.end - r.begin;
    for (std::uint32_t s : pending_source_) ++start[s + 1];
    for (std::size_t i = 1; i < start.size(); ++i) start[i] += start[i - 1];
    std::vector<std::uint32_t> order(n);  // order[new position] = old position
    {
      std::vector<std::uint32_t> next(start.begin(), start.end() - 1);
      std::uint32_t i = 0;
      for (const Run& r : runs_)
        for (std::uint32_t k = r.begin; k < r.end; ++k) order[next[r.source]++] = i++;
      for (std::uint32_t s : pending_source_) order[next[s]++] = i++;
    }
    pending_source_.clear();
    pending_source_.shrink_to_fit();
    reorder(target_, order);
    reorder(buffer_, order);
    reorder(delay_, order);
    weight_.reorder(order);
    if constexpr (Syn::has_state)
      if (!shared_) reorder(state_, order);

    runs_.clear();
    for (NodeId s = 0; s <= top && n; ++s)
      if (start[s + 1] > start[s]) runs_.push_back({s, start[s], start[s + 1]});
    if constexpr (Syn::has_state)
      if (shared_) run_state_.assign(runs_.size(), Syn::initial_state(*defaults_));  // none has transmitted
    return runs_;
  }

  void deliver(const Emission& e, std::uint32_t begin, std::uint32_t end, std::uint32_t run, step_t stamp,
               DeliveryContext& ctx) override {
    switch (e.kind) {
      case EventKind::spike:
        deliver_kind<EventKind::spike>(e, begin, end, run, stamp, ctx);
        break;
      case EventKind::poisson:
        deliver_kind<EventKind::poisson>(e, begin, end, run, stamp, ctx);
        break;
      case EventKind::current:
        deliver_kind<EventKind::current>(e, begin, end, run, stamp, ctx);
        break;
      case EventKind::none:
        break;
    }
  }

  std::size_t size() const override { return target_.size(); }
  std::size_t bytes_per_connection() const override {
    return sizeof(std::uint32_t) + sizeof(std::uint8_t) + sizeof(std::uint16_t) + weight_.bytes_per_connection() +
           (Syn::has_state && !shared_ ? sizeof(State) : 0);
  }
  std::size_t bytes() const override {
    return size() * (bytes_per_connection() - weight_.bytes_per_connection()) + weight_.bytes() +
           runs_.capacity() * sizeof(Run) + run_state_.capacity() * sizeof(State);
  }

  void report(std::uint32_t k, ConnectionInfo& out) const override {
    out.weight = weight_[k];
    if constexpr (Syn::has_state) Syn::report_state(state_of(k), out.state);
  }

  void set_all(const Dict& d, const std::string& model) override {
    std::vector<std::string> keys = Syn::state_keys();
    keys.push_back("weight");
    for (const auto& [key, value] : d)
      if (std::find(keys.begin(), keys.end(), key) == keys.end())
        throw UserError(key, "cannot be set on existing connections of " + model + "; settable: weight" +
                                 (Syn::state_keys().empty() ? std::string() : ", " + join(Syn::state_keys())));
    // Validate on a scratch state before touching anything (transactional).
    if constexpr (Syn::has_state) {
      State probe = Syn::initial_state(*defaults_);
      Syn::set_state(probe, d, model);
    }
    double w = 0.0;
    const Value* wv = d.find("weight");
    if (wv) {
      w = wv->as_double();
      if (!std::isfinite(w)) throw UserError("weight", "must be a finite number, got " + format_number(w));
    }
    if (wv) weight_.assign_all(w);
    if constexpr (Syn::has_state) {
      for (State& s : state_) Syn::set_state(s, d, model);
      for (State& s : run_state_) Syn::set_state(s, d, model);  // alike before, alike after
      moved_ = true;
    }
  }

 private:
  template <EventKind K>
  void deliver_kind(const Emission& e, std::uint32_t begin, std::uint32_t end, std::uint32_t run, step_t stamp,
                    DeliveryContext& ctx) {
    if constexpr (K == EventKind::spike) {
      // A register spike of multiplicity n is n spikes at one stamp: a stateful rule runs n times
      // (the later runs with no time elapsed) and a weight_recorder logs each. Checked once per
      // event, so multiplicity 1 and static synapses without a recorder take the plain path.
      if (e.repeats_per_multiplicity && e.value > 1.0 && (Syn::has_state || weight_recorder_ >= 0)) {
        Emission single = e;
        single.value = 1.0;
        for (long copy = static_cast<long>(e.value); copy > 0; --copy)
          deliver_kind<K>(single, begin, end, run, stamp, ctx);
        return;
      }
    }
    const int ring = ctx.ring_len;
    const int base_slot = static_cast<int>((stamp - 1) % ring);
    PoissonDraw draw(K == EventKind::poisson ? e.value : 1.0);  // set up once per event
    const double stamp_ms = ctx.grid->steps_to_ms(stamp);
    const bool shared = shared_;  // fixed for the event: the loop need not reread it
    double shared_efficacy = 1.0;
    if constexpr (Syn::has_state) {
      moved_ = true;
      if (shared) shared_efficacy = Syn::efficacy(*defaults_, run_state_[run], stamp_ms);
    }
    weight_.visit([&](auto weight_of) {
      for (std::uint32_t k = begin; k < end; ++k) {
        const TargetInfo& tgt = ctx.targets[target_[k]];
        double w = weight_of(k);
        if constexpr (Syn::has_state)
          w = (shared ? shared_efficacy : Syn::efficacy(*defaults_, state_[k], stamp_ms)) * w;
        w *= e.scale;
        double amount;
        const bool counts = (tgt.count_mask >> buffer_[k]) & 1u;
        if constexpr (K == EventKind::current) {
          amount = w * e.value;
        } else {
          double mult = e.value;
          if constexpr (K == EventKind::poisson) {
            mult = static_cast<double>(draw(ctx.rngs[tgt.rng]));
            if (mult == 0.0) continue;
          }
          amount = counts ? mult : w * mult;
        }
        int slot = base_slot + delay_[k];
        if (slot >= ring) slot -= ring;
        ctx.arena[static_cast<std::size_t>(slot) * ctx.arena_stride + tgt.arena_offset + buffer_[k]] += amount;
        if (weight_recorder_ >= 0)
          ctx.weight_events->push_back(
              {static_cast<std::size_t>(weight_recorder_), e.source, tgt.gid, stamp, w, static_cast<long>(buffer_[k])});
      }
    });
  }

  static std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
  }

  // Switches to one state per connection: finalized connections take their run's state, pending
  // ones (after the runs, in creation order) their initial state.
  void unshare() {
    state_.assign(target_.size(), Syn::initial_state(*defaults_));
    for (std::size_t r = 0; r < runs_.size(); ++r)
      std::fill(state_.begin() + runs_[r].begin, state_.begin() + runs_[r].end, run_state_[r]);
    run_state_.clear();
    run_state_.shrink_to_fit();
    shared_ = false;
  }

  const State& state_of(std::uint32_t k) const {
    if (!shared_) return state_[k];
    const auto run =
        std::upper_bound(runs_.begin(), runs_.end(), k, [](std::uint32_t x, const Run& r) { return x < r.begin; }) - 1;
    return run_state_[static_cast<std::size_t>(run - runs_.begin())];
  }

  const Defaults* defaults_;  // the model's; stable for the model's lifetime
  bool shared_ = true;        // one state per source run (run_state_), else one per connection (state_)
  bool moved_ = false;        // a state was advanced or set: new connections can no longer share it
  std::vector<State> run_state_;
  std::vector<State> state_;
};

template <class Syn>
class SynapseModelOf final : public SynapseModel {
 public:
  using Defaults = typename Syn::Defaults;

  SynapseModelOf(std::string name, std::string base, Defaults d, SynapseCommon common)
      : SynapseModel(std::move(name), std::move(base)), defaults_(d) {
    common_ = common;
  }
  explicit SynapseModelOf(const std::string& name) : SynapseModelOf(name, name, Defaults{}, SynapseCommon{}) {}

  std::unique_ptr<SynapseModel> copy(const std::string& new_name) const override {
    auto c = std::make_unique<SynapseModelOf<Syn>>(new_name, base_name(), defaults_, common_);
    c->labelled_ = labelled_;
    return c;
  }
  std::unique_ptr<SynapseStore> make_store() const override {
    return std::make_unique<SynapseStoreOf<Syn>>(&defaults_);
  }
  std::string documentation() const override { return Syn::documentation(); }
  std::vector<std::string> connection_state_keys() const override { return Syn::state_keys(); }
  bool secondary() const override {
    if constexpr (requires { Syn::secondary; })
      return Syn::secondary;
    else
      return false;
  }

 protected:
  std::vector<ParamSpec> specific_parameters() const override { return Syn::binder().specs(); }
  void specific_defaults(Dict& out) const override { Syn::binder().report(defaults_, out); }
  std::vector<std::string> apply_specific(const Dict& d, bool has_connections) override {
    Defaults next = defaults_;
    std::vector<std::string> consumed;
    Syn::binder().apply(next, d, "", &consumed);
    Syn::validate(next, name());
    if (has_connections) {
      for (const auto& key : consumed) {
        const auto& keys = Syn::state_keys();
        if (std::find(keys.begin(), keys.end(), key) == keys.end())
          throw UserError(key, "cannot change on synapse model " + name() +
                                   " once connections of it exist; make a copy of the model instead");
      }
    }
    defaults_ = next;
    return consumed;
  }

 private:
  Defaults defaults_;
};

}  // namespace nestling
