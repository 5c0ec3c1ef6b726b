#include "engine/connection_table.hpp"

#include <algorithm>

namespace nestling {

SynapseStore& ThreadConnections::store(const SynapseModel& model) {
  const auto id = static_cast<std::size_t>(model.id());
  if (id >= stores_.size()) stores_.resize(id + 1);
  if (!stores_[id]) stores_[id] = model.make_store();
  return *stores_[id];
}

void ThreadConnections::finalize(NodeId max_gid) {
  if (!dirty_) return;  // unchanged; deliver() and for_each() stop at the index's end for newer sources
  struct Entry {
    NodeId source;
    std::uint32_t store;
    std::uint32_t begin;
    std::uint32_t end;
    std::uint32_t run;
  };
  std::vector<Entry> entries;
  for (std::size_t id = 0; id < stores_.size(); ++id) {
    if (!stores_[id]) continue;
    const auto runs = stores_[id]->finalize();
    for (std::uint32_t r = 0; r < runs.size(); ++r)
      entries.push_back({runs[r].source, static_cast<std::uint32_t>(id), runs[r].begin, runs[r].end, r});
  }
  // By source, then by synapse model id: a fixed order whatever the thread count.
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.source != b.source ? a.source < b.source : a.store < b.store;
  });
  seg_begin_.assign(static_cast<std::size_t>(max_gid) + 2, 0);
  segments_.clear();
  segments_.reserve(entries.size());
  for (const auto& e : entries) {
    ++seg_begin_[e.source + 1];
    segments_.push_back({e.store, e.begin, e.end, e.run});
  }
  for (std::size_t i = 1; i < seg_begin_.size(); ++i) seg_begin_[i] += seg_begin_[i - 1];
  dirty_ = false;
}

std::size_t ThreadConnections::size() const {
  std::size_t n = 0;
  for (const auto& s : stores_)
    if (s) n += s->size();
  return n;
}

std::size_t ThreadConnections::bytes() const {
  std::size_t b = seg_begin_.capacity() * sizeof(std::uint32_t) + segments_.capacity() * sizeof(Segment);
  for (const auto& s : stores_)
    if (s) b += s->bytes();
  return b;
}

}  // namespace nestling
