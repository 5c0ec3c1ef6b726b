#include "models/ht_synapse.hpp"

namespace nestling {

const ParamBinder<HtSynapse::Defaults>& HtSynapse::binder() {
  static const ParamBinder<Defaults> b = [] {
    ParamBinder<Defaults> x;
    x.real("tau_P", &Defaults::tau_P, "ms", Check::positive, "recovery time constant of the vesicle pool")
        .real("delta_P", &Defaults::delta_P, "", Check::unit_interval, "fraction of the pool used by each spike")
        .real("P", &Defaults::P, "", Check::unit_interval, "vesicle pool of new connections");
    return x;
  }();
  return b;
}

void HtSynapse::validate(const Defaults&, const std::string&) {}

void HtSynapse::set_state(State& s, const Dict& d, const std::string& model) {
  if (const Value* v = d.find("P")) {
    const double p = v->as_double();
    if (!(p >= 0.0 && p <= 1.0)) throw UserError((model.empty() ? "" : model + "/") + "P", "must be in [0, 1]");
    s.P = p;
  }
}

std::string HtSynapse::documentation() {
  return "Depressing synapse of Hill & Tononi (2005): each event is sent with weight w*P, then P is reduced "
         "by the fraction delta_P and recovers to 1 with time constant tau_P.";
}

}  // namespace nestling
