// Queries of the connection store: per connection (get_connections) or as columns (arrays for
// Python and tools), gap junctions included, both sorted by source, then target.
#include <algorithm>
#include <numeric>

#include "engine/kernel.hpp"

namespace nestling {

void Kernel::visit_connections(const ConnectionFilter& filter, const std::function<void(const ConnectionRef&)>& f) {
  finalize_connections();
  const int want = filter.synapse_model.empty() ? -1 : models_.synapse_model(filter.synapse_model).id();
  std::vector<NodeId> sources = filter.sources, targets = filter.targets;
  std::sort(sources.begin(), sources.end());
  std::sort(targets.begin(), targets.end());
  const auto wanted = [](const std::vector<NodeId>& set, NodeId id) {
    return set.empty() || std::binary_search(set.begin(), set.end(), id);
  };
  for (const auto& tp : threads_) {
    const KernelThread& ts = *tp;
    ts.connections.for_each([&](NodeId src, int model_id, const SynapseStore& store, std::uint32_t k) {
      if ((want >= 0 && model_id != want) || !wanted(sources, src)) return;
      const NodeId tgt = ts.targets[store.target(k)].gid;
      if (wanted(targets, tgt)) f({src, tgt, model_id, &store, k, 0.0});
    });
    ts.gaps.for_each([&](NodeId src, int model_id, std::uint32_t target_local, double w) {
      if ((want >= 0 && model_id != want) || !wanted(sources, src)) return;
      const NodeId tgt = ts.targets[target_local].gid;
      if (wanted(targets, tgt)) f({src, tgt, model_id, nullptr, 0, w});
    });
  }
}

std::vector<ConnectionInfo> Kernel::connections(NodeId source, NodeId target, const std::string& synapse_model) {
  ConnectionFilter filter;
  if (source) filter.sources = {source};
  if (target) filter.targets = {target};
  filter.synapse_model = synapse_model;
  std::vector<ConnectionInfo> out;
  visit_connections(filter, [&](const ConnectionRef& r) {
    ConnectionInfo c;
    c.source = r.source;
    c.target = r.target;
    c.synapse_model = models_.synapse_model(r.model).name();
    if (r.store) {
      c.delay_ms = grid_.steps_to_ms(r.store->delay(r.index));
      c.receptor = group_of(r.target).receptor_of_buffer(r.store->buffer(r.index));
      r.store->report(r.index, c);
    } else {
      c.weight = r.gap_weight;  // gap junctions have no delay: reported as 0
    }
    out.push_back(std::move(c));
  });
  std::stable_sort(out.begin(), out.end(), [](const ConnectionInfo& a, const ConnectionInfo& b) {
    return a.source != b.source ? a.source < b.source : a.target < b.target;
  });
  return out;
}

ConnectionArrays Kernel::connection_columns(const ConnectionFilter& filter) {
  ConnectionArrays out;
  std::vector<int> column_of_model;  // engine model id → index into out.synapse_models
  ConnectionInfo scratch;
  visit_connections(filter, [&](const ConnectionRef& r) {
    if (static_cast<std::size_t>(r.model) >= column_of_model.size()) column_of_model.resize(r.model + 1, -1);
    if (column_of_model[r.model] < 0) {
      column_of_model[r.model] = static_cast<int>(out.synapse_models.size());
      out.synapse_models.push_back(models_.synapse_model(r.model).name());
    }
    double weight = r.gap_weight, delay_ms = 0.0;
    long receptor = 0;
    if (r.store) {
      scratch.state = Dict{};
      r.store->report(r.index, scratch);
      weight = scratch.weight;
      delay_ms = grid_.steps_to_ms(r.store->delay(r.index));
      receptor = group_of(r.target).receptor_of_buffer(r.store->buffer(r.index));
    }
    out.sources.push_back(r.source);
    out.targets.push_back(r.target);
    out.weights.push_back(weight);
    out.delays.push_back(delay_ms);
    out.receptors.push_back(receptor);
    out.synapse_model_index.push_back(static_cast<std::uint32_t>(column_of_model[r.model]));
  });
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
