// Helpers shared by the spatial tests (test_spatial_*.cpp).
#pragma once

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include "engine/kernel.hpp"
#include "nestling/simulator.hpp"
#include "nestling/spatial.hpp"

namespace nestling::spatial_test {

inline Dict grid(long rows, long columns, double ex, double ey, bool wrap, Value elements = Value("A")) {
  return Dict{{"rows", rows},
              {"columns", columns},
              {"extent", std::vector<double>{ex, ey}},
              {"edge_wrap", wrap},
              {"elements", std::move(elements)}};
}

// A simulator with models A and B (copies of parrot_neuron) and `threads` threads.
inline void setup(Simulator& sim, int threads = 1, long seed = 1) {
  sim.set_kernel_status({{"local_num_threads", threads}, {"rng_seed", seed}});
  sim.copy_model("parrot_neuron", "A");
  sim.copy_model("parrot_neuron", "B");
}

// All connections, finalized first (the kernel reports finalized tables only).
inline std::vector<ConnectionInfo> connections(Simulator& sim) {
  sim.kernel().prepare();
  return sim.get_connections();
}

// Multiset of (source, target) pairs.
inline std::map<std::pair<NodeId, NodeId>, int> pair_counts(Simulator& sim) {
  std::map<std::pair<NodeId, NodeId>, int> m;
  for (const auto& c : connections(sim)) ++m[{c.source, c.target}];
  return m;
}

inline Dict circle(double r) {
  return Dict{{"circular", Dict{{"radius", r}}}};
}

}  // namespace nestling::spatial_test
