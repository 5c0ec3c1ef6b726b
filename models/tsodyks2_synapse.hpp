// tsodyks2_synapse: short-term depression and facilitation (NEST 2.20 Tsodyks2Connection,
// mc-sleep spec §2).
//
// Per event, with Δ the time since the connection's last spike (0 ms before the first one, so
// the first spike already sees a virtual spike at t = 0):
//   x ← 1 + (x − x·u − 1)·exp(−Δ/tau_rec)      resources recover (uses the old u)
//   u ← U + u·(1 − U)·exp(−Δ/tau_fac)           facilitation; no term when tau_fac < 1e-10
// and the event is sent (and logged by a weight_recorder) with weight x·u·w.
//
// Where the parameters live: NEST keeps U, tau_rec and tau_fac in every connection, but deNEST
// trees (and the API) set them through synapse-model copies, one copy per parameter set. So they
// are model-level here, and only what evolves per connection (u, x, the last spike time) is
// stored per synapse: 24 bytes instead of 48. A connection-level change of U, tau_rec or
// tau_fac is refused with the advice to copy the model.
#pragma once

#include <cmath>

#include "engine/synapse.hpp"

namespace nestling {

struct Tsodyks2Synapse {
  struct Defaults {
    double U = 0.5;        // utilisation increment
    double u = 0.5;        // release probability of new connections
    double x = 1.0;        // resource fraction of new connections
    double tau_rec = 800.0;  // ms
    double tau_fac = 0.0;    // ms; below 1e-10: no facilitation
  };
  struct State {
    double u = 0.5;
    double x = 1.0;
    double t_last = 0.0;  // ms: the virtual first spike
  };
  static constexpr bool has_state = true;
  static constexpr double no_facilitation_below = 1e-10;  // ms, NEST's threshold for tau_fac

  static const ParamBinder<Defaults>& binder();
  static void validate(const Defaults&, const std::string&) {}
  static State initial_state(const Defaults& d) { return {d.u, d.x, 0.0}; }
  static std::vector<std::string> state_keys() { return {"u", "x"}; }
  static void set_state(State& s, const Dict& d, const std::string& model);
  static void report_state(const State& s, Dict& out) {
    out.set("u", s.u);
    out.set("x", s.x);
  }
  // Advances the state to a spike at t_ms; the spike's weight is the result (x·u) times w.
  static double efficacy(const Defaults& d, State& s, double t_ms) {
    const double elapsed = t_ms - s.t_last;
    const double x_decay = std::exp(-elapsed / d.tau_rec);
    const double u_decay = d.tau_fac < no_facilitation_below ? 0.0 : std::exp(-elapsed / d.tau_fac);
    s.x = 1.0 + (s.x - s.x * s.u - 1.0) * x_decay;
    s.u = d.U + s.u * (1.0 - d.U) * u_decay;
    s.t_last = t_ms;
    return s.x * s.u;
  }
  static std::string documentation();
};

}  // namespace nestling
