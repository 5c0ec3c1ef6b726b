// Queries of the connection store: per connection (get_connections) or as columns (arrays for
// Python and tools), gap junctions included.
#include <algorithm>
#include <numeric>

#include "engine/kernel.hpp"

namespace nestling {

std::vector<ConnectionInfo> Kernel::connections(NodeId source, NodeId target, const std::string& synapse_model) {
  finalize_connections();
  const int want = synapse_model.empty() ? -1 : models_.synapse_model(synapse_model).id();
  std::vector<ConnectionInfo> out;
  for (const auto& tp : threads_) {
    const KernelThread& ts = *tp;
    ts.connections.for_each([&](NodeId src, int model_id, const SynapseStore& store, std::uint32_t k) {
      if (source && src != source) return;
      if (want >= 0 && model_id != want) return;
      const TargetInfo& ti = ts.targets[store.target(k)];
      if (target && ti.gid != target) return;
      ConnectionInfo c;
      c.source = src;
      c.target = ti.gid;
      c.synapse_model = models_.synapse_model(model_id).name();
      c.delay_ms = grid_.steps_to_ms(store.delay(k));
      const NodeGroup& g = group_of(ti.gid);
      c.receptor = g.receptor_of_buffer(store.buffer(k));
      store.report(k, c);
      out.push_back(std::move(c));
    });
  }
  for (const auto& tp : threads_) {
    const KernelThread& ts = *tp;
    ts.gaps.for_each([&](NodeId src, int model_id, std::uint32_t tgt, double w) {
      if (source && src != source) return;
      if (want >= 0 && model_id != want) return;
      const TargetInfo& ti = ts.targets[tgt];
      if (target && ti.gid != target) return;
      ConnectionInfo c;
      c.source = src;
      c.target = ti.gid;
      c.synapse_model = models_.synapse_model(model_id).name();
      c.weight = w;
      c.delay_ms = 0.0;  // gap junctions have no delay
      out.push_back(std::move(c));
    });
  }
  std::stable_sort(out.begin(), out.end(), [](const ConnectionInfo& a, const ConnectionInfo& b) {
    return a.source != b.source ? a.source < b.source : a.target < b.target;
  });
  return out;
}

ConnectionArrays Kernel::connection_columns(const ConnectionFilter& filter) {
  finalize_connections();
  const int want = filter.synapse_model.empty() ? -1 : models_.synapse_model(filter.synapse_model).id();
  std::vector<NodeId> sources = filter.sources, targets = filter.targets;
  std::sort(sources.begin(), sources.end());
  std::sort(targets.begin(), targets.end());
  const auto wanted = [](const std::vector<NodeId>& set, NodeId id) {
    return set.empty() || std::binary_search(set.begin(), set.end(), id);
  };
  ConnectionArrays out;
  std::vector<int> column_of_model;  // engine model id → index into out.synapse_models
  std::vector<int> model_ids;
  const auto add = [&](NodeId src, NodeId tgt, int model_id, double weight, double delay_ms, long receptor) {
    if (static_cast<std::size_t>(model_id) >= column_of_model.size()) column_of_model.resize(model_id + 1, -1);
    if (column_of_model[model_id] < 0) {
      column_of_model[model_id] = static_cast<int>(out.synapse_models.size());
      out.synapse_models.push_back(models_.synapse_model(model_id).name());
    }
    out.sources.push_back(src);
    out.targets.push_back(tgt);
    out.weights.push_back(weight);
    out.delays.push_back(delay_ms);
    out.receptors.push_back(receptor);
    out.synapse_model_index.push_back(static_cast<std::uint32_t>(column_of_model[model_id]));
  };
  ConnectionInfo scratch;
  for (const auto& tp : threads_) {
    const KernelThread& ts = *tp;
    ts.connections.for_each([&](NodeId src, int model_id, const SynapseStore& store, std::uint32_t k) {
      if ((want >= 0 && model_id != want) || !wanted(sources, src)) return;
      const TargetInfo& ti = ts.targets[store.target(k)];
      if (!wanted(targets, ti.gid)) return;
      scratch.state = Dict{};
      store.report(k, scratch);
      add(src, ti.gid, model_id, scratch.weight, grid_.steps_to_ms(store.delay(k)),
          group_of(ti.gid).receptor_of_buffer(store.buffer(k)));
    });
    ts.gaps.for_each([&](NodeId src, int model_id, std::uint32_t tgt, double w) {
      if ((want >= 0 && model_id != want) || !wanted(sources, src)) return;
      const TargetInfo& ti = ts.targets[tgt];
      if (!wanted(targets, ti.gid)) return;
      add(src, ti.gid, model_id, w, 0.0, 0);
    });
  }
  // The order of get_connections: by source, then target, stable within a pair.
  std::vector<std::uint32_t> order(out.sources.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return out.sources[a] != out.sources[b] ? out.sources[a] < out.sources[b] : out.targets[a] < out.targets[b];
  });
  const auto permute = [&order](auto& column) {
    auto copy = column;
    for (std::size_t i = 0; i < order.size(); ++i) column[i] = copy[order[i]];
  };
  permute(out.sources);
  permute(out.targets);
  permute(out.weights);
  permute(out.delays);
  permute(out.receptors);
  permute(out.synapse_model_index);
  return out;
}

}  // namespace nestling
