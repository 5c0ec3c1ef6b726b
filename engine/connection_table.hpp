// All connections stored on one thread: one store per synapse model, and an index from
// source id to the (store, range) segments that hold the source's connections.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "engine/synapse.hpp"

namespace nestling {

class ThreadConnections {
 public:
  // Appends a connection; the index is rebuilt by finalize().
  void add(NodeId source, const SynapseModel& model, std::uint32_t target, std::uint8_t buffer, double weight,
           std::uint16_t delay, const Dict* state) {
    store(model).add(source, target, buffer, weight, delay, state);
    if (delay < min_delay_) min_delay_ = delay;
    if (delay > max_delay_) max_delay_ = delay;
    dirty_ = true;
  }

  SynapseStore& store(const SynapseModel& model);
  SynapseStore* find_store(int model_id) const {
    return model_id < static_cast<int>(stores_.size()) ? stores_[static_cast<std::size_t>(model_id)].get() : nullptr;
  }
  // Sorts new connections into their stores and rebuilds the source index over [0, max_gid];
  // nothing to do without new connections.
  void finalize(NodeId max_gid);

  // Delivers `e` to every connection of its source on this thread; returns how many.
  std::size_t deliver(const Emission& e, step_t stamp, DeliveryContext& ctx) const {
    if (e.source + 1 >= seg_begin_.size()) return 0;
    const std::uint32_t b = seg_begin_[e.source], end = seg_begin_[e.source + 1];
    std::size_t n = 0;
    for (std::uint32_t s = b; s < end; ++s) {
      const Segment& seg = segments_[s];
      stores_[seg.store]->deliver(e, seg.begin, seg.end, seg.run, stamp, ctx);
      n += seg.end - seg.begin;
    }
    return n;
  }

  std::size_t size() const;
  std::size_t bytes() const;  // connection payload plus index
  int min_delay() const { return min_delay_; }
  int max_delay() const { return max_delay_; }
  bool empty() const { return min_delay_ > max_delay_; }

  // Visits every connection: f(source, store model id, store, index in store).
  template <class F>
  void for_each(F&& f) const {
    for (NodeId src = 0; src + 1 < seg_begin_.size(); ++src)
      for (std::uint32_t s = seg_begin_[src]; s < seg_begin_[src + 1]; ++s) {
        const Segment& seg = segments_[s];
        for (std::uint32_t k = seg.begin; k < seg.end; ++k) f(src, static_cast<int>(seg.store), *stores_[seg.store], k);
      }
  }

 private:
  struct Segment {
    std::uint32_t store;
    std::uint32_t begin;
    std::uint32_t end;
    std::uint32_t run;  // index of the run in its store
  };
  std::vector<std::unique_ptr<SynapseStore>> stores_;  // by synapse model id
  std::vector<std::uint32_t> seg_begin_;               // CSR over source ids
  std::vector<Segment> segments_;
  int min_delay_ = 1 << 30;
  int max_delay_ = 0;
  bool dirty_ = false;
};

}  // namespace nestling
