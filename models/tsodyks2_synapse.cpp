#include "models/tsodyks2_synapse.hpp"

namespace nestling {

const ParamBinder<Tsodyks2Synapse::Defaults>& Tsodyks2Synapse::binder() {
  static const ParamBinder<Defaults> b = [] {
    ParamBinder<Defaults> x;
    x.real("U", &Defaults::U, "", Check::unit_interval, "increment of the release probability per spike")
        .real("u", &Defaults::u, "", Check::unit_interval,
              "release probability of new connections (setting U does not change it)")
        .real("x", &Defaults::x, "", Check::any, "resource fraction of new connections")
        .real("tau_rec", &Defaults::tau_rec, "ms", Check::positive, "recovery time constant of the resources")
        .real("tau_fac", &Defaults::tau_fac, "ms", Check::non_negative,
              "facilitation time constant; below 1e-10 ms there is no facilitation");
    return x;
  }();
  return b;
}

void Tsodyks2Synapse::set_state(State& s, const Dict& d, const std::string& model) {
  // The per-connection keys with the same names, units and checks as the model's.
  static const ParamBinder<State> per_connection = [] {
    ParamBinder<State> x;
    x.real("u", &State::u, "", Check::unit_interval, "").real("x", &State::x, "", Check::any, "");
    return x;
  }();
  per_connection.apply(s, d, model, nullptr);
}

std::string Tsodyks2Synapse::documentation() {
  return "Tsodyks-Markram synapse with depression and facilitation (NEST's tsodyks2_synapse). Per spike, with "
         "dt the time since the previous one (the first spike counts from t = 0): x = 1 + (x - x*u - 1)*exp(-dt/"
         "tau_rec), then u = U + u*(1 - U)*exp(-dt/tau_fac) (no facilitation for tau_fac < 1e-10 ms); the spike is "
         "sent with weight x*u*weight. U, tau_rec and tau_fac belong to the model (copy it for other values); u and "
         "x are per connection.";
}

}  // namespace nestling
