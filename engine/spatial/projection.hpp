// One ConnectLayers call, resolved: pool, mask, parameters, drivers and where connections go.
// The four rules of spec §6.5 run on it (rules_pairwise.cpp, rules_fixed.cpp).
//
// Threads: every rule makes the connections of a target on the thread that owns the target,
// through Kernel::connect_resolved. Random draws come from one stream per (kernel seed,
// projection ordinal, driver node), so results do not depend on the thread count.
#pragma once

#include <atomic>
#include <cmath>
#include <exception>
#include <vector>

#include "engine/kernel.hpp"
#include "engine/spatial/connect_spec.hpp"
#include "engine/spatial/pool.hpp"
#include "nestling/spatial.hpp"

namespace nestling::spatial {

// The driver nodes of one population: node indices [begin, end) of its group passed the filter.
struct DriverRange {
  std::uint32_t population = 0;  // in the driver layer's populations()
  NodeGroup* group = nullptr;
  NodeId first_id = 0;
  std::size_t begin = 0, end = 0;
};

// A target-layer population as a receiver.
struct TargetPopulation {
  NodeGroup* group = nullptr;       // null: not selected by `targets`
  bool via_kernel_connect = false;  // a recorder (spike_detector): Kernel::connect, serially
};

// How the probability kernel decides on a candidate: none (no kernel, or a constant >= 1: always
// connect), never (a constant <= 0), bernoulli (another constant), spatial (a deterministic
// function of the displacement), random (a random parameter drawn per candidate).
enum class KernelMode : std::uint8_t { none, never, bernoulli, spatial, random };

struct Projection {
  Kernel* kernel = nullptr;
  const GridLayer* source = nullptr;
  const GridLayer* target = nullptr;
  ConnectSpec spec;
  const SynapseModel* synapse = nullptr;
  std::uint64_t ordinal = 0;

  Mask mask;  // `all` when no mask is given
  Pool pool;
  Periodicity displacement_layer;
  bool pool_minus_driver = true;  // displacement = pool − driver (else driver − pool)

  KernelMode kernel_mode = KernelMode::none;
  double kernel_probability = 1.0;  // bernoulli
  SpatialParameter kernel_parameter, weight, delay;

  std::vector<DriverRange> drivers;
  std::vector<EventKind> source_kind;     // per source-layer population
  std::vector<TargetPopulation> targets;  // per target-layer population
  std::vector<std::uint8_t> buffer;       // [source pop · n target pops + target pop]
  bool serial = false;                    // some targets need Kernel::connect

  Vec2 displacement(Vec2 driver, Vec2 pool_position) const {
    return pool_minus_driver ? spatial::displacement(driver, pool_position, displacement_layer)
                             : spatial::displacement(pool_position, driver, displacement_layer);
  }
  std::uint8_t buffer_for(std::uint32_t source_pop, std::uint32_t target_pop) const {
    return buffer[source_pop * targets.size() + target_pop];
  }
  Vec2 driver_position(const GridLayer& layer, std::size_t p) const {
    const Point2 x = layer.position(p);
    return {x[0], x[1]};
  }
  void seed(Rng& rng, NodeId driver) const {
    rng.seed(stream_seed(kernel->seed(), StreamPurpose::projection_driver, ordinal, driver));
  }
};

// Converts delays to steps, checking each distinct step count once with the kernel's rules.
class DelaySteps {
 public:
  explicit DelaySteps(const Kernel& kernel) : kernel_(kernel), checked_(65536, 0) {}
  std::uint16_t operator()(double ms) {
    if (!std::isfinite(ms)) return kernel_.delay_steps(ms, "delays");  // throws
    if (!(std::fabs(ms) < 1e15)) throw_out_of_range(ms);
    const step_t d = kernel_.grid().delay_to_steps(ms);
    if (d < 1 || d > 0xFFFF) return kernel_.delay_steps(ms, "delays");  // throws
    if (!checked_[static_cast<std::size_t>(d)]) {
      kernel_.delay_steps(ms, "delays");  // after a Simulate, also the min/max delay range
      checked_[static_cast<std::size_t>(d)] = 1;
    }
    return static_cast<std::uint16_t>(d);
  }

 private:
  [[noreturn]] static void throw_out_of_range(double ms);
  const Kernel& kernel_;
  std::vector<std::uint8_t> checked_;
};

[[noreturn]] void throw_nan_weight(Vec2 displacement);

inline double checked_weight(double w, Vec2 displacement) {
  if (std::isnan(w)) throw_nan_weight(displacement);
  return w;
}

// Weights and delays of new connections; constants are converted once.
class ConnectionValues {
 public:
  explicit ConnectionValues(const Projection& pr)
      : pr_(pr),
        delay_steps_(*pr.kernel),
        weight_constant_(pr.weight.is_constant()),
        delay_constant_(pr.delay.is_constant()) {
    if (weight_constant_) weight_ = checked_weight(pr.weight.constant_value(), {});
    if (delay_constant_) delay_ = delay_steps_(pr.delay.constant_value());
  }
  double weight(Vec2 displacement, Rng& rng) {
    return weight_constant_ ? weight_ : checked_weight(pr_.weight(displacement, rng), displacement);
  }
  std::uint16_t delay(Vec2 displacement, Rng& rng) {
    return delay_constant_ ? delay_ : delay_steps_(pr_.delay(displacement, rng));
  }
  // Whether the values depend on the displacement or draw random numbers.
  bool constant() const { return weight_constant_ && delay_constant_; }

 private:
  const Projection& pr_;
  DelaySteps delay_steps_;
  bool weight_constant_, delay_constant_;
  double weight_ = 0.0;
  std::uint16_t delay_ = 0;
};

// Collects the first exception of each worker so that a parallel loop can stop and rethrow.
class ParallelErrors {
 public:
  explicit ParallelErrors(int workers) : errors_(static_cast<std::size_t>(workers)) {}
  template <class F>
  void run(int worker, F&& f) {
    try {
      f();
    } catch (...) {
      errors_[static_cast<std::size_t>(worker)] = std::current_exception();
      failed_.store(true, std::memory_order_relaxed);
    }
  }
  bool failed() const { return failed_.load(std::memory_order_relaxed); }
  void rethrow() const {
    for (const auto& e : errors_)
      if (e) std::rethrow_exception(e);
  }

 private:
  std::vector<std::exception_ptr> errors_;
  std::atomic<bool> failed_{false};
};

// Runs build(t, errors) → connections made, once for every thread t (in parallel unless
// `serial`), and returns their sum; the first error any thread met is rethrown.
template <class F>
std::size_t build_on_threads(int n_threads, bool serial, F&& build) {
  std::vector<std::size_t> made(static_cast<std::size_t>(n_threads), 0);
  ParallelErrors errors(n_threads);
  if (serial) {
    for (int t = 0; t < n_threads; ++t) errors.run(t, [&] { made[t] = build(t, errors); });
  } else {
#pragma omp parallel for num_threads(n_threads) schedule(static, 1)
    for (int t = 0; t < n_threads; ++t) errors.run(t, [&] { made[t] = build(t, errors); });
  }
  errors.rethrow();
  std::size_t total = 0;
  for (auto m : made) total += m;
  return total;
}

// The whole ConnectLayers call (connect_layers in nestling/spatial.hpp).
std::size_t connect(Kernel& kernel, const GridLayer& pre, const GridLayer& post, const Dict& spec);

std::size_t connect_pairwise(const Projection& projection);
std::size_t connect_fixed_indegree(const Projection& projection);
std::size_t connect_fixed_outdegree(const Projection& projection);

}  // namespace nestling::spatial
