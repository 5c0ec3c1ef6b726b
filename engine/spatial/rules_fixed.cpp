// Convergent and divergent connections with number_of_connections (spec §6.5 rules 3 and 4):
// each driver draws exactly K partners among the candidates in its mask, weighted by the kernel.
//
// Fixed fan-in drives from targets, so each thread handles the targets it owns. Fixed fan-out
// drives from sources whose draws land on targets of any thread: sources are planned in
// parallel (each from its own stream, into its own slots), then every thread commits the planned
// connections whose targets it owns, in source order. Both are independent of the thread count.
#include <omp.h>

#include <algorithm>

#include "engine/spatial/alias_table.hpp"
#include "engine/spatial/dict_reader.hpp"
#include "engine/spatial/projection.hpp"

namespace nestling::spatial {

namespace {

struct Candidate {
  NodeId node;
  Vec2 displacement;
  std::uint32_t population;
};

// Scratch reused from driver to driver: no allocation once warm.
struct DrawScratch {
  std::vector<Candidate> candidates;
  std::vector<double> weights;
  std::vector<std::uint8_t> chosen;
  AliasTable alias;
};

[[noreturn]] void not_enough(bool fan_in, NodeId driver, std::size_t eligible, long k, bool multapses) {
  throw UserError("number_of_connections",
                  std::string(fan_in ? "target " : "source ") + std::to_string(driver) + ": not enough " +
                      (fan_in ? "sources" : "targets") + " inside the mask (" + std::to_string(eligible) + " eligible" +
                      (multapses ? "" : ", " + std::to_string(k) + " needed without multapses") + ")");
}

// Gathers the driver's partners inside the mask into s.candidates (pool order, then units).
template <MaskShape S>
void gather_candidates(const Projection& pr, NodeId driver, Vec2 driver_pos, DrawScratch& s) {
  s.candidates.clear();
  for_each_candidate<S>(pr.pool, pr.mask, driver_pos, [&](std::size_t q, Vec2 pool_pos) {
    const Vec2 disp = pr.displacement(driver_pos, pool_pos);
    for (const Unit& u : pr.pool.units) {
      const NodeId partner = u.base + q;
      // NEST 2.20 forgets this test for fan-in with a mask and no kernel; nestling always honours it.
      if (!pr.spec.allow_autapses && partner == driver) continue;
      s.candidates.push_back({partner, disp, u.population});
    }
  });
}

// Prepares the draw among s.candidates; throws if K partners cannot be drawn.
void prepare_draw(const Projection& pr, bool fan_in, NodeId driver, DrawScratch& s, Rng& rng) {
  const long k = *pr.spec.number_of_connections;
  const std::size_t n = s.candidates.size();
  std::size_t eligible = n;
  if (pr.spec.kernel) {
    s.weights.resize(n);
    eligible = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const double w = pr.kernel_parameter(s.candidates[i].displacement, rng);
      if (!(w >= 0.0) || std::isinf(w))
        throw UserError("kernel", "must be a finite probability weight >= 0 for fixed-number connections, got " +
                                      format_number(w) + " at displacement (" +
                                      format_number(s.candidates[i].displacement.x) + ", " +
                                      format_number(s.candidates[i].displacement.y) + ")");
      s.weights[i] = w;
      eligible += w > 0.0;
    }
  }
  if (eligible == 0 || (!pr.spec.allow_multapses && eligible < static_cast<std::size_t>(k)))
    not_enough(fan_in, driver, eligible, k, pr.spec.allow_multapses);
  if (pr.spec.kernel) s.alias.build(s.weights);
  s.chosen.assign(n, 0);
}

// One draw: an index into s.candidates, redrawn while multapses are disallowed and it repeats.
std::size_t draw(const Projection& pr, DrawScratch& s, Rng& rng) {
  const std::size_t n = s.candidates.size();
  for (;;) {
    std::size_t i =
        pr.spec.kernel ? s.alias.draw(rng) : static_cast<std::size_t>(uniform01(rng) * static_cast<double>(n));
    if (i >= n) i = n - 1;
    if (!pr.spec.allow_multapses && s.chosen[i]) continue;
    s.chosen[i] = 1;
    return i;
  }
}

template <MaskShape S>
std::size_t indegree_for_thread(const Projection& pr, int t, const ParallelErrors& errors) {
  Kernel& kernel = *pr.kernel;
  const GridLayer& target_layer = *pr.target;
  const std::size_t n_positions = target_layer.num_positions();
  const long k = *pr.spec.number_of_connections;
  ConnectionValues values(pr);
  DrawScratch s;
  Rng rng;
  std::size_t made = 0;
  for (const DriverRange& dr : pr.drivers) {
    const NodeGroup& group = *dr.group;
    const std::size_t begin = std::max(group.chunk_begin(t), dr.begin), end = std::min(group.chunk_end(t), dr.end);
    if (begin >= end) continue;
    const std::uint32_t local_begin = group.local_index(begin);
    for (std::size_t i = begin; i < end; ++i) {
      if (errors.failed()) return made;
      const NodeId driver = dr.first_id + i;
      const Vec2 driver_pos = pr.driver_position(target_layer, i % n_positions);
      pr.seed(rng, driver);
      gather_candidates<S>(pr, driver, driver_pos, s);
      prepare_draw(pr, true, driver, s, rng);
      const std::uint32_t local = local_begin + static_cast<std::uint32_t>(i - begin);
      for (long c = 0; c < k; ++c) {
        const Candidate& cand = s.candidates[draw(pr, s, rng)];
        const double w = values.weight(cand.displacement, rng);
        const std::uint16_t d = values.delay(cand.displacement, rng);
        kernel.connect_resolved(t, cand.node, pr.source_kind[cand.population], *pr.synapse, local,
                                pr.buffer_for(cand.population, dr.population), w, d);
        ++made;
      }
    }
  }
  return made;
}

// A fan-out connection drawn for a source, waiting for its target's thread.
struct Planned {
  double weight;
  std::uint32_t local;
  std::uint16_t delay;
  std::uint8_t buffer;
};

template <MaskShape S>
std::size_t run_outdegree(const Projection& pr) {
  Kernel& kernel = *pr.kernel;
  const GridLayer& source_layer = *pr.source;
  const std::size_t n_positions = source_layer.num_positions();
  const int n_threads = kernel.threads();
  const auto k = static_cast<std::size_t>(*pr.spec.number_of_connections);

  // Sources in id order: driver range r covers flat indices [offset[r], offset[r + 1]).
  std::vector<std::size_t> offset{0};
  for (const DriverRange& dr : pr.drivers) offset.push_back(offset.back() + (dr.end - dr.begin));
  const std::size_t n_sources = offset.back();
  // Batches bound the planning buffer; within a batch sources are planned in parallel.
  const std::size_t batch = std::max<std::size_t>(1, (std::size_t{1} << 22) / std::max<std::size_t>(k, 1));
  // A source's K slots are grouped by target thread (stable, so each thread keeps the draw order),
  // targets of other processes last (group T); group t of source f starts at
  // thread_begin[f · (T + 2) + t] within the source's slots.
  const auto stride = static_cast<std::size_t>(n_threads) + 2;
  std::vector<Planned> plan;
  std::vector<std::uint32_t> thread_begin;
  std::size_t made = 0;

  for (std::size_t first = 0; first < n_sources; first += batch) {
    const std::size_t last = std::min(n_sources, first + batch);
    plan.resize((last - first) * k);
    thread_begin.resize((last - first) * stride);
    ParallelErrors errors(n_threads);
#pragma omp parallel num_threads(n_threads)
    {
      const int worker = omp_get_thread_num();
      ConnectionValues values(pr);
      DrawScratch s;
      std::vector<std::pair<std::uint16_t, Planned>> drawn;
      std::vector<std::uint32_t> cursor;
      Rng rng;
#pragma omp for schedule(dynamic, 16)
      for (std::size_t f = first; f < last; ++f) {
        if (errors.failed()) continue;
        // Exceptions must not leave the worksharing loop: each iteration records its own.
        errors.run(worker, [&] {
          const std::size_t r =
              static_cast<std::size_t>(std::upper_bound(offset.begin(), offset.end(), f) - offset.begin()) - 1;
          const DriverRange& dr = pr.drivers[r];
          const std::size_t i = dr.begin + (f - offset[r]);
          const NodeId driver = dr.first_id + i;
          const Vec2 driver_pos = pr.driver_position(source_layer, i % n_positions);
          pr.seed(rng, driver);
          gather_candidates<S>(pr, driver, driver_pos, s);
          prepare_draw(pr, false, driver, s, rng);
          drawn.clear();
          for (std::size_t c = 0; c < k; ++c) {
            const Candidate& cand = s.candidates[draw(pr, s, rng)];
            Planned out;
            out.weight = values.weight(cand.displacement, rng);
            out.delay = values.delay(cand.displacement, rng);
            const TargetPopulation& tp = pr.targets[cand.population];
            const std::size_t index = cand.node - pr.target->populations()[cand.population].first_id;
            const int owner = tp.group->thread_of(index);
            out.local = owner >= 0 ? tp.group->local_index(index) : 0;
            out.buffer = pr.buffer_for(dr.population, cand.population);
            drawn.emplace_back(static_cast<std::uint16_t>(owner >= 0 ? owner : n_threads), out);
          }
          // Counting sort of the K connections by target thread.
          std::uint32_t* begin = &thread_begin[(f - first) * stride];
          std::fill(begin, begin + stride, 0u);
          for (const auto& d : drawn) ++begin[d.first + 1];
          for (std::size_t t = 1; t < stride; ++t) begin[t] += begin[t - 1];
          cursor.assign(begin, begin + stride - 1);
          for (const auto& d : drawn) plan[(f - first) * k + cursor[d.first]++] = d.second;
        });
      }
    }
    errors.rethrow();

    // Commit: each thread adds the planned connections of the targets it owns, in source order.
    std::vector<std::size_t> committed(static_cast<std::size_t>(n_threads), 0);
#pragma omp parallel for num_threads(n_threads) schedule(static, 1)
    for (int t = 0; t < n_threads; ++t) {
      std::size_t r =
          static_cast<std::size_t>(std::upper_bound(offset.begin(), offset.end(), first) - offset.begin()) - 1;
      for (std::size_t f = first; f < last; ++f) {
        while (f >= offset[r + 1]) ++r;
        const DriverRange& dr = pr.drivers[r];
        const NodeId source = dr.first_id + dr.begin + (f - offset[r]);
        const EventKind kind = pr.source_kind[dr.population];
        const std::uint32_t* begin = &thread_begin[(f - first) * stride];
        for (std::size_t c = begin[t]; c < begin[t + 1]; ++c) {
          const Planned& p = plan[(f - first) * k + c];
          kernel.connect_resolved(t, source, kind, *pr.synapse, p.local, p.buffer, p.weight, p.delay);
        }
        committed[static_cast<std::size_t>(t)] += begin[t + 1] - begin[t];
      }
    }
    for (auto c : committed) made += c;
  }
  return made;
}

}  // namespace

std::size_t connect_fixed_indegree(const Projection& pr) {
  return with_mask_shape(pr.mask.shape, [&]<MaskShape S>() {
    return build_on_threads(pr.kernel->threads(), false, [&](int t, const ParallelErrors& errors) {
      return indegree_for_thread<S>(pr, t, errors);
    });
  });
}

std::size_t connect_fixed_outdegree(const Projection& pr) {
  return with_mask_shape(pr.mask.shape, [&]<MaskShape S>() { return run_outdegree<S>(pr); });
}

}  // namespace nestling::spatial
