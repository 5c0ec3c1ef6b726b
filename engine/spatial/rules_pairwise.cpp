// Convergent and divergent connections without number_of_connections (spec §6.5 rules 1 and 2):
// for each target t, every pool candidate s inside the mask connects with probability
// kernel(displacement). NEST runs both as a loop over targets; they differ in the pool layout,
// the mask's direction and the layer the displacement is computed in (see projection.cpp).
#include "engine/spatial/projection.hpp"

namespace nestling::spatial {

namespace {

// Connections of the targets that thread `t` owns.
template <MaskShape S>
std::size_t pairwise_for_thread(const Projection& pr, int t, const ParallelErrors& errors) {
  Kernel& kernel = *pr.kernel;
  const GridLayer& target_layer = *pr.target;
  const std::size_t n_positions = target_layer.num_positions();
  const bool exclude_autapses = !pr.spec.allow_autapses;
  const KernelMode mode = pr.kernel_mode;
  const bool values_random = pr.weight.is_random() || pr.delay.is_random();
  const double kernel_bound = pr.kernel_parameter.upper_bound();
  ConnectionValues values(pr);
  Rng rng;
  std::size_t made = 0;

  for (const DriverRange& dr : pr.drivers) {
    const NodeGroup& group = *dr.group;
    const std::size_t begin = std::max(group.chunk_begin(t), dr.begin), end = std::min(group.chunk_end(t), dr.end);
    if (begin >= end) continue;
    const TargetPopulation& tp = pr.targets[dr.population];
    const std::uint32_t local_begin = tp.via_kernel_connect ? 0 : group.local_index(begin);

    for (std::size_t i = begin; i < end; ++i) {
      if (errors.failed()) return made;
      const NodeId driver = dr.first_id + i;
      const Vec2 driver_pos = pr.driver_position(target_layer, i % n_positions);
      const std::uint32_t local = local_begin + static_cast<std::uint32_t>(i - begin);
      pr.seed(rng, driver);

      for_each_candidate<S>(pr.pool, pr.mask, driver_pos, [&](std::size_t q, Vec2 pool_pos) {
        // Position-dependent values are computed at most once for all units of a position, and
        // only when needed.
        Vec2 disp{};
        bool have_disp = false;
        auto displacement = [&]() -> Vec2 {
          if (!have_disp) disp = pr.displacement(driver_pos, pool_pos);
          have_disp = true;
          return disp;
        };
        double probability = pr.kernel_probability;
        bool have_probability = mode != KernelMode::spatial;
        bool have_values = false;
        double weight = 0.0;
        std::uint16_t delay = 0;
        for (const Unit& u : pr.pool.units) {
          const NodeId source = u.base + q;
          if (exclude_autapses && source == driver) continue;
          if (mode == KernelMode::bernoulli) {
            if (!(uniform01(rng) < probability)) continue;
          } else if (mode == KernelMode::spatial) {
            const double u01 = uniform01(rng);
            if (!(u01 < kernel_bound)) continue;
            if (!have_probability) probability = pr.kernel_parameter(displacement(), rng);
            have_probability = true;
            if (!(u01 < probability)) continue;
          } else if (mode == KernelMode::random) {
            const double u01 = uniform01(rng);
            if (!(u01 < pr.kernel_parameter(displacement(), rng))) continue;
          }
          if (!have_values || values_random) {
            const Vec2 d = values.constant() ? Vec2{} : displacement();
            weight = values.weight(d, rng);
            delay = values.delay(d, rng);
            have_values = true;
          }
          if (tp.via_kernel_connect) {
            Kernel::SynapseSpec spec;
            spec.model = pr.synapse->id();
            spec.weight = weight;
            spec.delay_ms = kernel.grid().steps_to_ms(delay);
            spec.has_weight = spec.has_delay = true;
            kernel.connect(source, driver, spec);
          } else {
            kernel.connect_resolved(t, source, pr.source_kind[u.population], *pr.synapse, local,
                                    pr.buffer_for(u.population, dr.population), weight, delay);
          }
          ++made;
        }
      });
    }
  }
  return made;
}

}  // namespace

std::size_t connect_pairwise(const Projection& pr) {
  if (pr.kernel_mode == KernelMode::never) return 0;
  return with_mask_shape(pr.mask.shape, [&]<MaskShape S>() {
    return build_on_threads(pr.kernel->threads(), pr.serial, [&](int t, const ParallelErrors& errors) {
      return pairwise_for_thread<S>(pr, t, errors);
    });
  });
}

}  // namespace nestling::spatial
