// gap_junction: electrical coupling between two neurons (NEST 2.20's secondary connection model,
// spec mc-sleep §3.1). It carries no spikes and has no delay: once per min_delay slice the
// source's membrane potential reaches the target (engine/gap_coupling.hpp), which computes the
// coupling current weight·(V_source − V_target). A junction is two connections, one in each
// direction, created together with make_symmetric.
#pragma once

#include "models/static_synapse.hpp"

namespace nestling {

// Everything but the coupling is a static synapse's: no parameters beyond the weight, no state.
struct GapJunction : StaticSynapse {
  static constexpr bool secondary = true;
  static std::string documentation() {
    return "Gap junction: couples the membrane potentials of two neurons with conductance `weight`. No delay; "
           "the partner's potential at the end of each min_delay slice acts through the next slice. Create it "
           "with one_to_one and make_symmetric (one connection in each direction).";
  }
};

}  // namespace nestling
