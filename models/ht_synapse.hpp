// ht_synapse: Hill & Tononi's depressing synapse (NEST 2.20 HTConnection, spec §2).
//
// Per event: P recovers towards 1 with tau_P since the last spike, the event is sent with
// weight w·P, then P is depleted by the fraction delta_P. Times are the presynaptic stamps.
#pragma once

#include <cmath>

#include "engine/synapse.hpp"

namespace nestling {

struct HtSynapse {
  struct Defaults {
    double tau_P = 500.0;   // ms
    double delta_P = 0.125;
    double P = 1.0;         // initial pool of new connections
  };
  struct State {
    double P = 1.0;
    double t_last = 0.0;  // ms
  };
  static constexpr bool has_state = true;

  static const ParamBinder<Defaults>& binder();
  static void validate(const Defaults& d, const std::string& model);
  static State initial_state(const Defaults& d) { return {d.P, 0.0}; }
  static std::vector<std::string> state_keys() { return {"P"}; }
  static void set_state(State& s, const Dict& d, const std::string& model);
  static void report_state(const State& s, Dict& out) { out.set("P", s.P); }
  // Advances the state to a spike at t_ms; the spike's weight is the result (P before the
  // depression) times w.
  static double efficacy(const Defaults& d, State& s, double t_ms) {
    s.P = 1.0 - (1.0 - s.P) * std::exp(-(t_ms - s.t_last) / d.tau_P);
    const double sent = s.P;
    s.P *= 1.0 - d.delta_P;
    s.t_last = t_ms;
    return sent;
  }
  static std::string documentation();
};

}  // namespace nestling
