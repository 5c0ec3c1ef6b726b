// static_synapse: fixed weight and delay.
#pragma once

#include "engine/synapse.hpp"

namespace nestling {

struct StaticSynapse {
  struct Defaults {};
  struct State {};
  static constexpr bool has_state = false;

  static const ParamBinder<Defaults>& binder() {
    static const ParamBinder<Defaults> b;
    return b;
  }
  static void validate(const Defaults&, const std::string&) {}
  static State initial_state(const Defaults&) { return {}; }
  static std::vector<std::string> state_keys() { return {}; }
  static void set_state(State&, const Dict&, const std::string&) {}
  static void report_state(const State&, Dict&) {}
  static double efficacy(const Defaults&, State&, double) { return 1.0; }
  static std::string documentation() { return "Transmits every event with a fixed weight and delay."; }
};

}  // namespace nestling
