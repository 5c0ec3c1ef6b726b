// Kernel: prepare, the slice loop, event delivery and recording (NEST 2.20 spec §5, §7).
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "engine/kernel.hpp"
#include "engine/update_shares.hpp"
#include "nestling/errors.hpp"

namespace nestling {

namespace {
double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
// Threads update their nodes in units of about this many node-steps and look between units
// whether to go on: coarse enough to cost nothing, fine enough to react within milliseconds
// however many steps a slice has, and fine enough that the threads finish a slice's update
// within a fraction of a millisecond of each other (engine/update_shares.hpp; 4096 left up to
// 0.7 ms per slice on the benchmark tree's Hill–Tononi groups).
constexpr std::size_t kNodeStepsPerUnit = 1024;
// A stop request normally waits for the slice to end; a slice running longer than this is given
// up instead (its half-done work discarded), so that a stop is honoured within about a second.
constexpr double kStopGraceSeconds = 0.5;
}  // namespace

RecordingContext Kernel::recording_context() const {
  RecordingContext c;
  c.grid = &grid_;
  c.backends = &backends_;
  c.data_path = settings_.data_path;
  c.data_prefix = settings_.data_prefix;
  c.overwrite_files = settings_.overwrite_files;
  c.n_threads = virtual_processes();
  c.vp = comm_.rank() * settings_.threads;
  c.processes = comm_.size();
  c.max_gid = max_gid();
  return c;
}

void Kernel::simulate(double ms) {
  if (!std::isfinite(ms) || ms < 0.0)
    throw UserError("simulate", "time must be a non-negative finite number of ms, got " + format_number(ms));
  if (ms == 0.0) return;
  if (ms * grid_.steps_per_ms() > 1e15)
    throw UserError("simulate", "time " + format_number(ms) + " ms is too long for one simulate call");
  if (grid_.ms_to_tics(ms) < grid_.tics_per_step())
    throw UserError("simulate", "time " + format_number(ms) + " ms is shorter than one step (" +
                                    format_number(grid_.resolution()) + " ms)");
  if (!grid_.is_on_grid(ms))
    throw UserError("simulate", format_number(ms) + " ms is not a multiple of the resolution " +
                                    format_number(grid_.resolution()) + " ms (NEST 2.20 refuses it too)");
  prepare();
  run(grid_.ms_to_steps(ms));
  cleanup();
}

void Kernel::layout_arenas() {
  for (int t = 0; t < settings_.threads; ++t) {
    KernelThread& ts = *threads_[static_cast<std::size_t>(t)];
    std::size_t offset = 0;  // within one slot
    for (auto& g : groups_) {
      const int nb = g->num_buffers();
      if (nb == 0) continue;
      g->set_arena_offset(t, offset);
      std::uint32_t local = g->local_base(t);
      for (std::size_t i = g->chunk_begin(t); i < g->chunk_end(t); ++i, ++local) {
        ts.targets[local].arena_offset = offset;
        offset += static_cast<std::size_t>(nb);
      }
    }
    if (offset != ts.arena_stride || ts.arena.size() != offset * static_cast<std::size_t>(ring_len_)) {
      // Groups are only appended, so existing nodes keep their place within a slot: pending
      // input moves slot by slot to the wider layout (or is all zero, before any simulation).
      std::vector<double> wider(offset * static_cast<std::size_t>(ring_len_), 0.0);
      if (ts.arena.size() == ts.arena_stride * static_cast<std::size_t>(ring_len_))
        for (std::size_t s = 0; s < static_cast<std::size_t>(ring_len_) && ts.arena_stride > 0; ++s)
          std::copy_n(ts.arena.begin() + static_cast<std::ptrdiff_t>(s * ts.arena_stride), ts.arena_stride,
                      wider.begin() + static_cast<std::ptrdiff_t>(s * offset));
      ts.arena.swap(wider);
      ts.arena_stride = offset;
    }
    // Gap-junction inputs: S and P for each lag of a slice, per coupled node.
    std::size_t gap_offset = 0;
    for (auto& g : groups_) {
      if (!g->has_gap_junctions()) continue;
      g->set_gap_offset(t, gap_offset);
      std::uint32_t local = g->local_base(t);
      for (std::size_t i = g->chunk_begin(t); i < g->chunk_end(t); ++i, ++local) {
        ts.targets[local].gap_offset = gap_offset;
        gap_offset += 2 * static_cast<std::size_t>(min_delay_);
      }
    }
    ts.gap_arena.resize(gap_offset, 0.0);
  }
}

void Kernel::prepare() {
  const auto t0 = std::chrono::steady_clock::now();
  if (!simulated_) {
    auto [lo, hi] = delay_bounds();
    if (comm_.distributed()) {  // the delays of every process's connections
      std::int64_t bounds[2] = {-static_cast<std::int64_t>(lo), hi};
      comm_.max(bounds);
      lo = static_cast<int>(-bounds[0]);
      hi = static_cast<int>(bounds[1]);
    }
    min_delay_ = lo > hi ? 1 : lo;
    max_delay_ = std::max(hi, 1);
    ring_len_ = min_delay_ + max_delay_;
  }
  if (connections_dirty_) {
    const NodeId top = max_gid();
#pragma omp parallel for num_threads(settings_.threads) schedule(static, 1)
    for (int t = 0; t < settings_.threads; ++t) threads_[static_cast<std::size_t>(t)]->connections.finalize(top);
    for (auto& t : threads_) t->gaps.finalize([this](NodeId id) -> const NodeGroup& { return group_of(id); });

    // Spike detectors: a CSR from source id to detector positions, in connection order.
    std::vector<std::size_t> order(detector_links_.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return detector_links_[a].source < detector_links_[b].source;
    });
    detector_begin_.assign(static_cast<std::size_t>(top) + 2, 0);
    detector_targets_.clear();
    for (std::size_t i : order) {
      ++detector_begin_[detector_links_[i].source + 1];
      detector_targets_.push_back(detector_links_[i].detector);
    }
    for (std::size_t i = 1; i < detector_begin_.size(); ++i) detector_begin_[i] += detector_begin_[i - 1];

    // Synapse models that feed a weight_recorder.
    for (std::size_t id = 0; id < models_.synapse_model_count(); ++id) {
      const SynapseModel& m = models_.synapse_model(static_cast<int>(id));
      long index = -1;
      if (m.common().weight_recorder >= 0) {
        for (std::size_t r = 0; r < weight_recorders_.size(); ++r)
          if (weight_recorders_[r]->gid() == static_cast<NodeId>(m.common().weight_recorder))
            index = static_cast<long>(r);
        if (index < 0)
          throw UserError(m.name() + "/weight_recorder",
                          "node " + std::to_string(m.common().weight_recorder) + " is not a weight_recorder");
      }
      for (auto& t : threads_)
        if (SynapseStore* s = t->connections.find_store(static_cast<int>(id))) s->set_weight_recorder(index);
    }
    pending_weights_.resize(weight_recorders_.size());
    if (comm_.distributed() && has_gaps_) plan_gap_exchange();
    connections_dirty_ = false;
  }
  layout_arenas();
  spike_counts_.resize(static_cast<std::size_t>(max_gid()) + 1, 0);
  for (auto& t : threads_) {
    for (auto& info : t->targets)
      if (info.rng == -2) {
        info.rng = static_cast<std::int32_t>(t->rngs.size());
        t->rngs.push_back(make_stream(settings_.seed, StreamPurpose::node, info.gid));
      }
    t->samples.resize(multimeters_.size());
  }
  // Only new groups (or all, after reset_network) start from fresh buffers, as in NEST.
  for (; groups_initialised_ < groups_.size(); ++groups_initialised_) groups_[groups_initialised_]->init_buffers();
  CalibrationContext cal;
  cal.grid = &grid_;
  cal.seed = settings_.seed;
  const RecordingContext rc = recording_context();
  for (auto& g : groups_) {
    try {
      g->calibrate(cal);
      if (auto* rec = dynamic_cast<RecorderGroup*>(g.get()))
        for (std::size_t i = 0; i < rec->size(); ++i) rec->device(i).calibrate(rc);
    } catch (const UserError& e) {
      throw e.with_prefix(e.path().rfind(g->model_name(), 0) == 0 ? "" : g->model_name());
    }
  }
  times_.prepare += seconds_since(t0);
}

void Kernel::run(step_t steps) {
  if (broken_)
    throw UserError("simulate",
                    "an earlier simulation stopped with an error; the network's state is undefined. "
                    "Create a new simulator");
  const auto t_start = std::chrono::steady_clock::now();
  const int n_threads = settings_.threads;
  step_t to_do = steps;
  int to_step = 0;
  bool done = false, deliver_now = false;
  std::atomic<bool> failed{false};
  std::atomic<bool> abandoned{false};  // a stop request cut the present slice short
  auto slice_start = std::chrono::steady_clock::now();
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(n_threads));
  stopped_ = false;

  // One context per (virtual) thread: a thread's nodes, connections and buffers.
  std::vector<UpdateContext> update_ctx(static_cast<std::size_t>(n_threads));
  std::vector<DeliveryContext> deliver_ctx(static_cast<std::size_t>(n_threads));
  UpdateShares shares(n_threads);
  for (int t = 0; t < n_threads; ++t) {
    KernelThread& ts = *threads_[static_cast<std::size_t>(t)];
    UpdateContext& ctx = update_ctx[static_cast<std::size_t>(t)];
    ctx.thread = t;
    ctx.ring_len = ring_len_;
    ctx.min_delay = min_delay_;
    ctx.arena = ts.arena.data();
    ctx.arena_stride = ts.arena_stride;
    ctx.gap_arena = ts.gap_arena.data();
    ctx.grid = &grid_;
    ctx.emissions = &ts.emissions;
    ctx.samples = &ts.samples;
    ctx.targets = ts.targets.data();
    ctx.streams = ts.rngs.data();
    DeliveryContext& dctx = deliver_ctx[static_cast<std::size_t>(t)];
    dctx.arena = ts.arena.data();
    dctx.arena_stride = ts.arena_stride;
    dctx.gap_arena = ts.gap_arena.data();
    dctx.ring_len = ring_len_;
    dctx.targets = ts.targets.data();
    dctx.rngs = ts.rngs.data();
    dctx.weight_events = &ts.weight_events;
    dctx.grid = &grid_;
  }
  auto guarded = [&](int t, auto&& work) {
    try {
      work();
    } catch (...) {
      errors[static_cast<std::size_t>(t)] = std::current_exception();
      failed.store(true);
    }
  };
  // Between blocks of nodes: stop updating after a failure elsewhere, or give the slice up when a
  // stop was requested and the slice has run for long.
  // Distributed runs stop only at slice boundaries, where the processes agree.
  const bool distributed = comm_.distributed();
  bool peer_failed = false;
  auto give_up_slice = [&] {
    if (failed.load(std::memory_order_relaxed) || abandoned.load(std::memory_order_relaxed)) return true;
    if (distributed || !stop_requested_.load(std::memory_order_relaxed) ||
        seconds_since(slice_start) < kStopGraceSeconds)
      return false;
    abandoned.store(true, std::memory_order_relaxed);
    return true;
  };

  // Runs virtual thread t's share of a phase, counting its time as the thread's busy time.
  auto busy = [&](int t, auto&& work) {
    const auto from = std::chrono::steady_clock::now();
    guarded(t, work);
    threads_[static_cast<std::size_t>(t)]->busy_s += seconds_since(from);
  };

#pragma omp parallel num_threads(n_threads)
  {
    // OpenMP may give fewer threads than asked for (OMP_THREAD_LIMIT, OMP_DYNAMIC, nested
    // regions): each team member then serves every team-size-th virtual thread.
    const int member = omp_get_thread_num(), team = omp_get_num_threads();

    while (true) {
#pragma omp single
      {
        if (distributed) {
          // Every process takes the same decision: records are committed first (a failure to
          // write counts), then failures and stop requests are combined.
          if (to_do > 0 && from_step_ == 0 && !failed.load()) {
            guarded(member, [&] {
              const auto tw = std::chrono::steady_clock::now();
              commit_samples();
              commit_weight_events();
              times_.write += seconds_since(tw);
            });
          }
          bool stop_now = false;
          const auto tx = std::chrono::steady_clock::now();
          if (!agree_to_continue(failed.load(), stop_now) && !failed.load()) peer_failed = true;
          times_.exchange += seconds_since(tx);
          if (to_do <= 0 || failed.load() || peer_failed) {
            done = true;
          } else if (stop_now) {
            done = true;
            stopped_ = true;
          } else {
            done = false;
            to_step = static_cast<int>(std::min<step_t>(from_step_ + to_do, min_delay_));
            slice_start = std::chrono::steady_clock::now();
          }
        } else if (to_do <= 0 || failed.load() || abandoned.load()) {
          done = true;
        } else if (from_step_ == 0 && stop_requested_.exchange(false, std::memory_order_relaxed)) {
          done = true;
          stopped_ = true;
        } else {
          if (from_step_ == 0) {  // NEST collects the previous slice's records now
            guarded(member, [&] {
              const auto tw = std::chrono::steady_clock::now();
              commit_samples();
              commit_weight_events();
              times_.write += seconds_since(tw);
            });
          }
          done = failed.load();
          to_step = static_cast<int>(std::min<step_t>(from_step_ + to_do, min_delay_));
          slice_start = std::chrono::steady_clock::now();
        }
        if (!done) {
          for (UpdateContext& ctx : update_ctx) {
            ctx.origin = clock_;
            ctx.from = from_step_;
            ctx.to = to_step;
          }
          shares.plan(groups_, to_step - from_step_, kNodeStepsPerUnit);
        }
      }
      if (done) break;

      // Each member runs its threads' units, then helps with whatever units are left.
      for (int t = member; t < n_threads; t += team) {
        busy(t, [&] {
          for (int k = 0; k < n_threads; ++k) {
            const int owner = (t + k) % n_threads;
            UpdateContext ctx = update_ctx[static_cast<std::size_t>(owner)];
            ctx.emissions = &threads_[static_cast<std::size_t>(t)]->emissions;
            ctx.samples = &threads_[static_cast<std::size_t>(t)]->samples;
            while (!give_up_slice()) {
              const UpdateShares::Unit* unit = shares.take(owner);
              if (unit == nullptr) break;
              ctx.sender_has_proxies = unit->group->has_proxies();
              unit->group->update(ctx, unit->first, unit->last);
            }
          }
        });
      }
#pragma omp barrier
#pragma omp single
      {
        // Spike detectors see spikes as they are sent, even in a slice a Simulate call ends inside.
        const bool complete = to_step == min_delay_;
        if (abandoned.load() && !failed.load()) clear_thread_registers();
        if (!failed.load() && !abandoned.load()) {
          guarded(member, [&] {
            const auto tw = std::chrono::steady_clock::now();
            record_spikes();
            if (complete) sort_emissions();
            times_.write += seconds_since(tw);
          });
        }
        // A distributed slice ends with the exchange on every process, failed or not, so that no
        // process waits for one that gave up; the failure ends the run at the next agreement.
        if (distributed && complete) {
          const auto tx = std::chrono::steady_clock::now();
          guarded(member, [&] { exchange_slice(); });
          times_.exchange += seconds_since(tx);
        }
        deliver_now = complete && !failed.load() && !abandoned.load();  // decided once, for every thread alike
      }
      if (deliver_now) {
        for (int t = member; t < n_threads; t += team) {
          busy(t, [&] {
            KernelThread& ts = *threads_[static_cast<std::size_t>(t)];
            std::uint64_t delivered = 0;
            visit_emissions_in_order([&](const Emission& e) {
              delivered += ts.connections.deliver(e, clock_ + e.lag + 1, deliver_ctx[static_cast<std::size_t>(t)]);
            });
            ts.synaptic_events += delivered;
            // Every node has finished the slice: its end-of-slice value is final until the next one.
            if (!ts.gaps.empty()) ts.gaps.deliver(min_delay_, from_step_, deliver_ctx[static_cast<std::size_t>(t)]);
          });
        }
#pragma omp barrier
      }
#pragma omp single
      {
        if (deliver_now) clear_emissions();
        if (!failed.load() && !abandoned.load()) {
          to_do -= to_step - from_step_;
          advance(to_step);
        }
      }
    }
  }
  simulated_ = true;
  times_.simulate += seconds_since(t_start);
  times_.busy_per_thread.clear();
  for (const auto& tp : threads_) times_.busy_per_thread.push_back(tp->busy_s);
  if (abandoned.load() && !failed.load()) {
    stop_requested_.store(false, std::memory_order_relaxed);
    stopped_ = true;
    broken_ = true;  // nodes stand half-way through the given-up slice
  }
  for (auto& e : errors)
    if (e) {
      broken_ = true;  // the failed slice is half done: no further simulation from here
      std::rethrow_exception(e);
    }
  if (peer_failed) {
    broken_ = true;
    throw PeerFailure();
  }
}

void Kernel::advance(int to_step) {
  const bool complete = to_step == min_delay_;
  if (!complete) {
    from_step_ = to_step;
    return;
  }
  clock_ += min_delay_;
  from_step_ = 0;
  // Weight events are window-tested now, as NEST does when the recorder handles them.
  for (auto& tp : threads_) {
    for (const WeightEvent& w : tp->weight_events) {
      RecordingDevice& dev = *weight_recorders_[w.recorder];
      const auto& p = dev.params();
      if (!dev.active(w.stamp)) continue;
      if (!p.senders.empty() &&
          !std::binary_search(p.senders.begin(), p.senders.end(), static_cast<std::int64_t>(w.sender)))
        continue;
      if (!p.targets.empty() &&
          !std::binary_search(p.targets.begin(), p.targets.end(), static_cast<std::int64_t>(w.target)))
        continue;
      pending_weights_[w.recorder].push_back(w);
    }
    tp->weight_events.clear();
  }
  if (progress_) progress_(clock_);
}

void Kernel::clear_thread_registers() {
  for (auto& tp : threads_) {
    tp->emissions.clear();
    tp->recorded = 0;
    tp->weight_events.clear();
    for (std::size_t m = 0; m < tp->samples.size(); ++m) tp->samples.buffer(m).clear();
  }
}

void Kernel::sort_emissions() {
  // Groups emit in (node, lag) order, so a register is unsorted only after a slice that several
  // Simulate calls shared (or a group that emits out of order): sort those few here.
  for (auto& tp : threads_)
    if (!std::is_sorted(tp->emissions.begin(), tp->emissions.end(), emission_before))
      std::stable_sort(tp->emissions.begin(), tp->emissions.end(), emission_before);
}

void Kernel::clear_emissions() {
  global_emissions_.clear();
  for (auto& tp : threads_) {
    tp->emissions.clear();
    tp->recorded = 0;
  }
}

void Kernel::record_spikes() {
  // Emissions of this update call: each thread's register from where the last call stopped.
  std::vector<Emission> fresh;
  for (auto& tp : threads_) {
    for (std::size_t i = tp->recorded; i < tp->emissions.size(); ++i) {
      const Emission& e = tp->emissions[i];
      if (e.kind == EventKind::spike) spike_counts_[e.source] += static_cast<std::uint32_t>(e.value);
      if (e.source + 1 < detector_begin_.size() && detector_begin_[e.source] != detector_begin_[e.source + 1])
        fresh.push_back(e);
    }
    tp->recorded = tp->emissions.size();
  }
  if (fresh.empty()) return;
  std::sort(fresh.begin(), fresh.end(), emission_before);
  // Rows per detector, then each detector's rows ordered by (time, sender).
  std::vector<std::pair<RecordingDevice*, std::vector<std::pair<step_t, NodeId>>>> rows;
  for (const Emission& e : fresh) {  // only sources with detectors
    const step_t stamp = clock_ + e.lag + 1;
    for (std::uint32_t k = detector_begin_[e.source]; k < detector_begin_[e.source + 1]; ++k) {
      RecordingDevice* det = detector_targets_[k];
      if (!det->active(stamp)) continue;
      long n = static_cast<long>(e.value);
      if (e.kind == EventKind::poisson) {
        // A detector of Poisson generators draws its own train, from its own stream.
        // one stream per (detector, source): draws stay in time order however the run is split
        const auto key = std::make_pair(det->gid(), e.source);
        auto rng = detector_rngs_.find(key);
        if (rng == detector_rngs_.end())
          rng =
              detector_rngs_.emplace(key, make_stream(settings_.seed, StreamPurpose::node, det->gid(), e.source)).first;
        n = poisson(rng->second, e.value);
      }
      if (n <= 0) continue;
      auto it = std::find_if(rows.begin(), rows.end(), [&](const auto& r) { return r.first == det; });
      if (it == rows.end()) {
        rows.push_back({det, {}});
        it = rows.end() - 1;
      }
      for (long c = 0; c < n; ++c) it->second.emplace_back(stamp, e.source);
    }
  }
  RecordBatch batch;
  for (auto& [det, r] : rows) {
    std::sort(r.begin(), r.end());  // equal rows are identical
    batch.clear();
    for (const auto& [stamp, sender] : r) {
      batch.stamps.push_back(stamp);
      batch.senders.push_back(sender);
    }
    det->record(batch);
  }
}

void Kernel::commit_samples() {
  RecordBatch batch;
  for (std::size_t m = 0; m < multimeters_.size(); ++m) {
    RecordingDevice& dev = *multimeters_[m];
    const std::size_t nv = dev.value_names.size();
    struct Row {
      step_t stamp;
      NodeId sender;
      const double* values;
    };
    std::vector<Row> rows;
    for (auto& tp : threads_) {
      auto& buf = tp->samples.buffer(m);
      for (std::size_t r = 0; r < buf.senders.size(); ++r)
        if (dev.active(buf.stamps[r])) rows.push_back({buf.stamps[r], buf.senders[r], buf.values.data() + r * nv});
    }
    if (!rows.empty()) {
      std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
        return a.stamp != b.stamp ? a.stamp < b.stamp : a.sender < b.sender;
      });
      batch.clear();
      batch.n_values = nv;
      for (const Row& r : rows) {
        batch.stamps.push_back(r.stamp);
        batch.senders.push_back(r.sender);
        batch.values.insert(batch.values.end(), r.values, r.values + nv);
      }
      dev.record(batch);
    }
    for (auto& tp : threads_) tp->samples.buffer(m).clear();
  }
}

void Kernel::commit_weight_events() {
  RecordBatch batch;
  for (std::size_t r = 0; r < pending_weights_.size(); ++r) {
    std::vector<WeightEvent>& events = pending_weights_[r];
    if (events.empty()) continue;
    // A fixed order whatever the thread count: by time, sender, target (ties keep connection order).
    std::stable_sort(events.begin(), events.end(), [](const WeightEvent& x, const WeightEvent& y) {
      return std::tie(x.stamp, x.sender, x.target) < std::tie(y.stamp, y.sender, y.target);
    });
    batch.clear();
    for (const WeightEvent& w : events) {
      batch.senders.push_back(w.sender);
      batch.targets.push_back(w.target);
      batch.stamps.push_back(w.stamp);
      batch.weights.push_back(w.weight);
      batch.receptors.push_back(w.receptor);
    }
    weight_recorders_[r]->record(batch);
    events.clear();
  }
}

void Kernel::flush_pending() {
  commit_samples();
  commit_weight_events();
}

void Kernel::cleanup() {
  const auto t0 = std::chrono::steady_clock::now();
  for (auto& g : groups_)
    if (auto* rec = dynamic_cast<RecorderGroup*>(g.get()))
      for (std::size_t i = 0; i < rec->size(); ++i) {
        RecordingDevice& dev = rec->device(i);
        if (dev.params().flush_after_simulate) dev.flush();
        if (dev.params().close_after_simulate) dev.close();
      }
  times_.write += seconds_since(t0);
}

void Kernel::reset_network() {
  if (!simulated_) return;
  for (auto& t : threads_) {
    std::fill(t->arena.begin(), t->arena.end(), 0.0);
    std::fill(t->gap_arena.begin(), t->gap_arena.end(), 0.0);
  }
  clear_thread_registers();
  for (auto& b : pending_weights_) b.clear();
  for (auto& g : groups_) g->reset_state();
  groups_initialised_ = 0;
}

}  // namespace nestling
