// The update phase's work, cut into units that any thread may run: a thread works through its
// own nodes' units first, then takes what is left of the others'.
//
// Why: threads own their nodes, so a slice's update ends at the barrier when the slowest thread
// is done. On the benchmark tree at 2 threads the threads' times per slice differed by about 1 ms
// of 8 (no steal time; cache and machine noise, not the network), which summed to 0.4–0.7 s of
// a 4.5 s run spent waiting. A unit run by another thread uses the owner's context (its input
// buffers, node streams and thread-local indices), so node state evolves exactly as if the owner
// ran it; only the emissions and samples go to the runner's registers, which the kernel puts into
// canonical order before anyone reads them (sort_emissions, commit_samples).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <memory>
#include <vector>

#include "engine/node_group.hpp"

namespace nestling {

class UpdateShares {
 public:
  struct Unit {
    NodeGroup* group;
    std::size_t first, last;  // nodes [first, last) of the group, all owned by one thread
  };

  explicit UpdateShares(int n_threads)
      : units_(static_cast<std::size_t>(n_threads)), next_(std::make_unique<Counter[]>(static_cast<std::size_t>(n_threads))) {}

  // Cuts every thread's nodes into units of about `node_steps` node-steps for a slice of `lags`
  // steps (whole lane blocks), and makes them all available again. Called by one thread before
  // every slice; the cut is kept while the slice length is (the groups are fixed during a run).
  template <class Groups>
  void plan(const Groups& groups, int lags, std::size_t node_steps) {
    const bool recut = lags != planned_lags_;
    planned_lags_ = lags;
    for (std::size_t t = 0; t < units_.size(); ++t) {
      next_[t].taken.store(0, std::memory_order_relaxed);
      if (!recut) continue;
      std::vector<Unit>& list = units_[t];
      list.clear();
      for (const auto& g : groups) {
        if (g->kind() == NodeKind::recorder) continue;
        const std::size_t b = g->chunk_begin(static_cast<int>(t)), e = g->chunk_end(static_cast<int>(t));
        const std::size_t lanes = g->update_block();
        const std::size_t block = std::max<std::size_t>(1, node_steps / static_cast<std::size_t>(lags) / lanes) * lanes;
        for (std::size_t first = b; first < e; first += block) list.push_back({g.get(), first, std::min(first + block, e)});
      }
    }
  }

  // The next unit of `owner`'s nodes nobody has taken yet, or nullptr.
  const Unit* take(int owner) {
    const std::vector<Unit>& list = units_[static_cast<std::size_t>(owner)];
    const std::size_t u = next_[static_cast<std::size_t>(owner)].taken.fetch_add(1, std::memory_order_relaxed);
    return u < list.size() ? &list[u] : nullptr;
  }

 private:
  struct alignas(64) Counter {  // one cache line each: the owners take from theirs all the time
    std::atomic<std::size_t> taken{0};
  };
  std::vector<std::vector<Unit>> units_;
  std::unique_ptr<Counter[]> next_;
  int planned_lags_ = 0;  // the slice length of the present cut (0: none yet)
};

}  // namespace nestling
