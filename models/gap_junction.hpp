// gap_junction: electrical coupling between two neurons (NEST 2.20's secondary connection model,
// spec mc-sleep §3.1). It carries no spikes and has no delay: once per min_delay slice the
// source's membrane potential reaches the target (engine/gap_coupling.hpp), which computes the
// coupling current weight·(V_source − V_target). A junction is two connections, one in each
// direction, created together with make_symmetric.
#pragma once

#include "engine/synapse.hpp"

namespace nestling {

struct GapJunction {
  struct Defaults {};
  struct State {};
  static constexpr bool has_state = false;
  static constexpr bool secondary = true;

  static const ParamBinder<Defaults>& binder() {
    static const ParamBinder<Defaults> b;
    return b;
  }
  static void validate(const Defaults&, const std::string&) {}
  static State initial_state(const Defaults&) { return {}; }
  static std::vector<std::string> state_keys() { return {}; }
  static void set_state(State&, const Dict&, const std::string&) {}
  static void report_state(const State&, Dict&) {}
  static double transmit(const Defaults&, State&, double w, double) { return w; }
  static std::string documentation() {
    return "Gap junction: couples the membrane potentials of two neurons with conductance `weight`. No delay; "
           "the partner's potential at the end of each min_delay slice acts through the next slice. Create it "
           "with one_to_one and make_symmetric (one connection in each direction).";
  }
};

}  // namespace nestling
