// connect_layers: resolves a ConnectLayers dictionary into a Projection and runs its rule.
#include "engine/spatial/projection.hpp"

#include <chrono>

#include "engine/spatial/dict_reader.hpp"

namespace nestling::spatial {

void throw_nan_weight(Vec2 d) {
  throw UserError("weights",
                  "evaluated to NaN at displacement (" + format_number(d.x) + ", " + format_number(d.y) + ")");
}

void DelaySteps::throw_out_of_range(double ms) {
  throw UserError("delays", "delay " + format_number(ms) + " ms is out of range");
}

namespace {

// The layer's populations must be this kernel's node groups.
void check_layer(const Kernel& kernel, const GridLayer& layer, const char* which) {
  if (layer.id() == 0 || layer.populations().empty())
    throw UserError(which, "is not a layer made by create_grid_layer");
  for (const LayerPopulation& p : layer.populations()) {
    const NodeGroup* g = kernel.find_group(p.first_id);
    if (!g || g->first_gid() != p.first_id || g->size() != p.size || g->model_name() != p.model)
      throw UserError(which, "layer " + std::to_string(layer.id()) + " was not created by this simulator");
  }
}

// Splits selected units into per-population ranges of node indices (the drivers).
std::vector<DriverRange> driver_ranges(Kernel& kernel, const GridLayer& layer, const std::vector<Unit>& units) {
  std::vector<DriverRange> out;
  const std::size_t n = layer.num_positions();
  for (const Unit& u : units) {
    const LayerPopulation& pop = layer.populations()[u.population];
    const std::size_t depth_in_pop = static_cast<std::size_t>(u.base - pop.first_id) / n;
    const std::size_t begin = depth_in_pop * n;
    if (!out.empty() && out.back().population == u.population && out.back().end == begin) {
      out.back().end = begin + n;
      continue;
    }
    out.push_back({u.population, &kernel.group_of(pop.first_id), pop.first_id, begin, begin + n});
  }
  return out;
}

KernelMode classify_kernel(const SpatialParameter& k, double& probability) {
  if (k.is_random()) return KernelMode::random;
  if (!k.is_constant()) return KernelMode::spatial;
  probability = k.constant_value();
  if (probability >= 1.0) return KernelMode::none;  // U[0,1) < p always holds
  if (!(probability > 0.0)) return KernelMode::never;
  return KernelMode::bernoulli;
}

}  // namespace

std::size_t connect(Kernel& kernel, const GridLayer& pre, const GridLayer& post, const Dict& dict) {
  const auto t0 = std::chrono::steady_clock::now();
  Projection pr;
  pr.ordinal = kernel.next_projection_ordinal();  // every call counts, failed ones too
  check_layer(kernel, pre, "pre");
  check_layer(kernel, post, "post");
  pr.kernel = &kernel;
  pr.source = &pre;
  pr.target = &post;
  pr.spec = parse_connect_spec(dict);
  const ConnectSpec& spec = pr.spec;
  try {
    pr.synapse = &kernel.models().synapse_model(spec.synapse_model);
  } catch (const UserError& e) {
    throw UserError("synapse_model", "'" + spec.synapse_model + "': " + e.message());
  }
  pr.weight = spec.weights ? *spec.weights : constant_parameter(pr.synapse->common().weight);
  pr.delay = spec.delays ? *spec.delays : constant_parameter(pr.synapse->common().delay);
  if (spec.kernel) {
    pr.kernel_parameter = *spec.kernel;
    pr.kernel_mode = classify_kernel(pr.kernel_parameter, pr.kernel_probability);
  }
  const bool fixed = spec.number_of_connections.has_value();
  if (fixed && *spec.number_of_connections == 0) return 0;  // NEST returns before looking further
  const bool fan_out = fixed && !spec.convergent;

  const auto& models = kernel.models();
  std::vector<Unit> source_units =
      select_units(pre, spec.sources, "sources", !spec.sources.model || models.has_node_model(*spec.sources.model));
  std::vector<Unit> target_units =
      select_units(post, spec.targets, "targets", !spec.targets.model || models.has_node_model(*spec.targets.model));

  // Who may send and receive.
  pr.source_kind.assign(pre.populations().size(), EventKind::spike);
  for (std::size_t p = 0; p < pre.populations().size(); ++p)
    pr.source_kind[p] = kernel.group_of(pre.populations()[p].first_id).output_event();
  for (const Unit& u : source_units)
    if (pr.source_kind[u.population] == EventKind::none)
      throw UserError("sources", "model " + pre.populations()[u.population].model + " does not send events");
  pr.targets.assign(post.populations().size(), {});
  for (const Unit& u : target_units) {
    NodeGroup& g = kernel.group_of(post.populations()[u.population].first_id);
    TargetPopulation& tp = pr.targets[u.population];
    tp.group = &g;
    const bool pairwise_convergent = spec.convergent && !fixed;
    if (g.kind() != NodeKind::neuron && !pairwise_convergent)
      throw UserError("targets", "model " + g.model_name() +
                                     " is a device; NEST 2.20 connects devices in a layer "
                                     "only with convergent connections without "
                                     "number_of_connections");
    if (g.kind() == NodeKind::recorder) {
      tp.via_kernel_connect = true;
      pr.serial = true;
    } else if (g.num_buffers() == 0) {
      throw UserError("targets", "model " + g.model_name() + " does not receive connections");
    }
  }
  // Input buffer of each selected (source, target) population pair, from the synapse's receptor_type.
  std::vector<bool> source_selected(pre.populations().size(), false);
  for (const Unit& u : source_units) source_selected[u.population] = true;
  pr.buffer.assign(pre.populations().size() * post.populations().size(), 0);
  const long receptor = pr.synapse->common().receptor_type;
  for (std::size_t s = 0; s < pre.populations().size(); ++s)
    for (std::size_t t = 0; t < post.populations().size(); ++t) {
      const TargetPopulation& tp = pr.targets[t];
      if (!source_selected[s] || !tp.group || tp.via_kernel_connect) continue;
      try {
        const int b = pr.source_kind[s] == EventKind::current ? tp.group->current_buffer(receptor)
                                                              : tp.group->spike_buffer(receptor);
        pr.buffer[s * post.populations().size() + t] = static_cast<std::uint8_t>(b);
      } catch (const UserError& e) {
        throw UserError("synapse_model", e.message() + " (the receptor_type of synapse model " + pr.synapse->name() +
                                             "; use a copy of it with another receptor_type)");
      }
    }

  // Pool layout, mask direction and displacement layer of each rule (spec §6.5).
  TreeDomain tree;
  const GridLayer& pool_layer = fan_out ? post : pre;
  for (int i = 0; i < 2; ++i) {
    tree.lower_left[i] = pool_layer.lower_left()[i];
    tree.extent[i] = pool_layer.extent()[i];
    tree.periodic[i] = pool_layer.edge_wrap();
  }
  const bool source_driven = !spec.convergent && !fixed;
  if (source_driven) {
    // NEST puts the sources in a tree with the target's periodicity and, in periodic
    // dimensions, the target's extent, but keeps the source's lower-left corner.
    for (int i = 0; i < 2; ++i) {
      tree.periodic[i] = post.edge_wrap();
      if (post.edge_wrap()) tree.extent[i] = post.extent()[i];
    }
  }
  const GridLayer& check_layer_for_mask = spec.convergent ? pre : post;
  pr.mask = spec.mask ? resolve_mask(*spec.mask, check_layer_for_mask, spec.allow_oversized_mask, source_driven, "mask")
                      : all_mask();
  // Masked pools come from NEST's position tree (wrapped positions); unmasked ones from its
  // position vector (raw), except fixed fan-out, which always searches the tree.
  const bool wrap = spec.mask.has_value() || fan_out;
  pr.pool = make_pool(pool_layer, fan_out ? target_units : source_units, tree, wrap);
  const GridLayer& displacement_layer = spec.convergent ? pre : post;
  for (int i = 0; i < 2; ++i) {
    pr.displacement_layer.extent[i] = displacement_layer.extent()[i];
    pr.displacement_layer.periodic[i] = displacement_layer.edge_wrap();
  }
  pr.pool_minus_driver = !source_driven;
  pr.drivers = driver_ranges(kernel, fan_out ? pre : post, fan_out ? source_units : target_units);

  std::size_t made = 0;
  try {
    if (!fixed)
      made = connect_pairwise(pr);
    else if (spec.convergent)
      made = connect_fixed_indegree(pr);
    else
      made = connect_fixed_outdegree(pr);
  } catch (...) {
    // Connections made before the error stay, as in NEST; the kernel must still index them.
    kernel.finish_bulk_connect(*pr.synapse);
    throw;
  }
  // Distributed: each process made the connections onto its own nodes; the projection made the sum.
  made = static_cast<std::size_t>(kernel.communicator().sum(static_cast<std::uint64_t>(made)));
  if (made > 0) kernel.finish_bulk_connect(*pr.synapse);
  kernel.times().connect += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return made;
}

}  // namespace nestling::spatial

namespace nestling {

std::size_t connect_layers(Simulator& sim, const GridLayer& pre, const GridLayer& post, const Dict& spec) {
  return spatial::connect(sim.kernel(), pre, post, spec);
}

}  // namespace nestling
