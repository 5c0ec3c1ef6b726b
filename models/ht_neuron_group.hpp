// The node group of every Hill–Tononi neuron model: HtNeuronGroup<Variant> holds the neurons of
// one model (ht_neuron, or a variant of the sleep model) and runs their update loop; the
// equations and the step rules are in ht_neuron_dynamics.hpp.
//
// A variant (ht_neuron.hpp, ht_neuron_sleep.hpp) supplies its Parameters struct, the receptor
// names in port order, the recordables, and the constants of ht::Layout; its model file
// defines the three functions below that differ (binder, check_relations, documentation) and
// instantiates the group.
#pragma once

#include <algorithm>
#include <cstdint>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/node_model.hpp"
#include "engine/ode/vector_clones.hpp"
#include "engine/prefetch.hpp"
#include "models/ht_neuron_dynamics.hpp"
#include "models/ht_neuron_lanes.hpp"

namespace nestling {
namespace ht {

// What a recordable reports (nest-2.20 §1.10, mc-sleep §1.10).
enum class Quantity { V_m, theta, g, g_NMDA, g_GABA_B1a, x_GABA_B1a, I_NaP, I_KNa, I_T, I_h, I_gap };
struct Recordable {
  const char* name;
  Quantity what;
  int channel = 0;  // for Quantity::g
};

}  // namespace ht

template <class Variant>
class HtNeuronGroup final : public NodeGroup {
 public:
  using Traits = Variant;
  using Index = ht::Layout<Variant>;
  using Parameters = typename Variant::Parameters;
  using StateVector = typename Index::Vector;

  // Model defaults: the parameters and the initial state of new nodes.
  struct Prototype : Parameters {
    Prototype() : y(this->template equilibrium_state<Index>()) {}
    StateVector y;
    bool equilibrate_requested = false;  // set by the action flag `equilibrate`, consumed by apply()
  };

  // The static model interface (engine/node_model.hpp).
  static constexpr NodeKind node_kind = NodeKind::neuron;
  static std::vector<ParamSpec> parameter_specs() { return binder().specs(); }
  // Sets parameters and state like NEST's set_status: transactional; `equilibrate` uses the
  // parameters in force before this call (NEST 2.20 quirk, nest-2.20 §1.3).
  static void apply(Prototype& p, const Dict& d, const std::string& model);
  static Dict describe(const Prototype& p) { return describe_parameters(binder(), p); }
  static std::string documentation();  // per variant
  static std::vector<std::string> recordable_names();
  static Dict receptor_type_names();
  // Per variant: the parameter table, and the checks between parameters (NEST's Parameters_::set).
  static const ParamBinder<Prototype>& binder();
  static void check_relations(const Prototype& p);

  HtNeuronGroup(const NodeModel& model, NodeId first, std::size_t n, const Prototype& proto,
                const VpLayout& layout);

  NodeKind kind() const override { return node_kind; }
  void set_status(std::size_t i, const Dict& d) override;
  Dict get_status(std::size_t i) const override;
  // Buffers: spikes per channel (receptor r → buffer r − 1), MINI if any, then current (receptor 0).
  int num_buffers() const override { return Index::buffers; }
  int spike_buffer(long receptor) const override;
  int current_buffer(long receptor) const override;
  long receptor_of_buffer(int buffer) const override { return buffer < Index::current_buffer ? buffer + 1 : 0; }
  bool conductance_buffer(int buffer) const override { return buffer < Index::channels; }
  // Minis draw from the neuron's own stream; only neurons with MINI input get one.
  std::uint8_t stream_mask() const override {
    return Variant::minis ? static_cast<std::uint8_t>(1u << Index::mini_buffer) : 0;
  }
  Dict receptor_types() const override { return receptor_type_names(); }
  void init_buffers() override;
  void reset_state() override;
  void calibrate(const CalibrationContext& ctx) override;
  void update(UpdateContext& ctx, std::size_t begin, std::size_t end) override;
  std::size_t update_block() const override { return static_cast<std::size_t>(lane_width_); }
  const std::vector<std::string>& recordables() const override;
  double recordable_value(std::size_t i, int which) const override;
  std::size_t state_bytes() const override {
    return nodes_.size() * (sizeof(Parameters) + sizeof(std::uint32_t) + sizeof(HtCell<Variant>) + sizeof(step_t)) +
           constant_sets_.size() * (sizeof(HtConstants<Variant>) + sizeof(Parameters));
  }
  std::size_t state_nodes() const override { return nodes_.size(); }

  // Gap junctions (mc-sleep §1.7): partners see this neuron's V_m at the end of each slice.
  bool has_gap_junctions() const override { return Variant::gap; }
  double gap_output(std::size_t i) const override { return cell(i).y[Index::V_M]; }

 private:
  using Integrator = ht::Integrator<Variant>;
  Prototype prototype_of(std::size_t i) const;
  void set_initial_state(std::size_t i, const Prototype& proto);
  const HtConstants<Variant>& constants(std::size_t i) const { return constant_sets_[set_index(i)]; }
  // Integrates node i over one step with the scalar code; returns true if it spiked.
  bool integrate_step(std::size_t i, Integrator& integrator);
  // Integrates nodes [first, first + n) over one step with the scalar code; sets bit j of the
  // result if node first + j spiked.
  unsigned integrate_cells(UpdateContext& ctx, std::size_t first, int n, int lag, Integrator& integrator);
  // The same for a loaded block in lanes; the scalar code takes the step where the kernel declines.
  unsigned integrate_lanes(UpdateContext& ctx, ht::LaneBlock<Variant>& block, std::size_t first, int lag,
                           Integrator& integrator);
  // Adds the spikes and the current that arrive at the slot `in` (nest-2.20 §1.9 step 3,
  // mc-sleep §1.5 steps 7–9) to node i's state, a cell or a lane (ht::CellAccess, ht::LaneAccess).
  template <class Access>
  void add_arriving_input(UpdateContext& ctx, std::size_t i, double* in, const Access& s);

  std::vector<Parameters> params_;
  std::vector<HtConstants<Variant>> constant_sets_;  // one per distinct parameter set
  std::vector<Parameters> parameter_sets_;           // the parameters of each set, for the update loop
  std::vector<std::uint32_t> set_of_;                // node → its constants
  ht::LaneKernel<Variant> lane_kernel_ = nullptr;    // nullptr: the scalar code
  int lane_width_ = 1;
  std::vector<HtCell<Variant>> nodes_;
  std::vector<step_t> last_spike_;  // stamp of the latest spike, -1 if none
  // params_, set_of_, nodes_ and last_spike_ hold this process's nodes only (all of them
  // without MPI): group index i is entry i - local_begin().
  HtCell<Variant>& cell(std::size_t i) { return nodes_[i - local_begin()]; }
  const HtCell<Variant>& cell(std::size_t i) const { return nodes_[i - local_begin()]; }
  Parameters& param(std::size_t i) { return params_[i - local_begin()]; }
  const Parameters& param(std::size_t i) const { return params_[i - local_begin()]; }
  step_t& last_spike(std::size_t i) { return last_spike_[i - local_begin()]; }
  step_t last_spike(std::size_t i) const { return last_spike_[i - local_begin()]; }
  std::uint32_t& set_index(std::size_t i) { return set_of_[i - local_begin()]; }
  std::uint32_t set_index(std::size_t i) const { return set_of_[i - local_begin()]; }
  double h_ = 0.1;                  // resolution in ms, as NEST computes it
};

// ------------------------------------------------------------------------ parameter tables

// The parameters every Hill–Tononi model shares (nest-2.20 §1.2), in NEST's order;
// `gating_exponents` adds N_NaP and N_T (NEST 3 parameters that the sleep model's neurons lack).
template <class Proto>
void add_ht_parameters(ParamBinder<Proto>& b, bool gating_exponents) {
  using P = HtParameters;
  auto conductance = [&b](const char* name, double P::*m) {
    b.real(name, m, "", Check::non_negative, "peak conductance (unitless)");
  };
  auto time_constant = [&b](const char* name, double P::*m, const char* doc) {
    b.real(name, m, "ms", Check::positive, doc);
  };
  auto potential = [&b](const char* name, double P::*m, const char* doc) { b.real(name, m, "mV", Check::any, doc); };
  potential("E_Na", &P::E_Na, "Na leak reversal; V and theta are set to it at a spike");
  potential("E_K", &P::E_K, "K leak reversal; reversal of the post-spike K current");
  conductance("g_NaL", &P::g_NaL);
  conductance("g_KL", &P::g_KL);
  time_constant("tau_m", &P::tau_m, "membrane time constant");
  potential("theta_eq", &P::theta_eq, "equilibrium threshold");
  time_constant("tau_theta", &P::tau_theta, "threshold time constant");
  time_constant("tau_spike", &P::tau_spike, "time constant of the post-spike K current");
  b.real("t_ref", &P::t_ref, "ms", Check::non_negative, "refractory time and duration of the post-spike K current");
  conductance("g_peak_AMPA", &P::g_peak_AMPA);
  time_constant("tau_rise_AMPA", &P::tau_rise_AMPA, "AMPA rise time, < tau_decay_AMPA");
  time_constant("tau_decay_AMPA", &P::tau_decay_AMPA, "AMPA decay time");
  potential("E_rev_AMPA", &P::E_rev_AMPA, "AMPA reversal potential");
  conductance("g_peak_NMDA", &P::g_peak_NMDA);
  time_constant("tau_rise_NMDA", &P::tau_rise_NMDA, "NMDA rise time, < tau_decay_NMDA");
  time_constant("tau_decay_NMDA", &P::tau_decay_NMDA, "NMDA decay time");
  potential("E_rev_NMDA", &P::E_rev_NMDA, "NMDA reversal potential");
  potential("V_act_NMDA", &P::V_act_NMDA, "midpoint of the NMDA unblock sigmoid");
  b.real("S_act_NMDA", &P::S_act_NMDA, "1/mV", Check::non_negative, "slope of the NMDA unblock sigmoid");
  time_constant("tau_Mg_slow_NMDA", &P::tau_Mg_slow_NMDA, "slow NMDA unblock time, > tau_Mg_fast_NMDA");
  time_constant("tau_Mg_fast_NMDA", &P::tau_Mg_fast_NMDA, "fast NMDA unblock time");
  b.boolean("instant_unblock_NMDA", &P::instant_unblock_NMDA, "NMDA unblock follows V instantaneously");
  conductance("g_peak_GABA_A", &P::g_peak_GABA_A);
  time_constant("tau_rise_GABA_A", &P::tau_rise_GABA_A, "GABA_A rise time, < tau_decay_GABA_A");
  time_constant("tau_decay_GABA_A", &P::tau_decay_GABA_A, "GABA_A decay time");
  potential("E_rev_GABA_A", &P::E_rev_GABA_A, "GABA_A reversal potential");
  conductance("g_peak_GABA_B", &P::g_peak_GABA_B);
  time_constant("tau_rise_GABA_B", &P::tau_rise_GABA_B, "GABA_B rise time, < tau_decay_GABA_B");
  time_constant("tau_decay_GABA_B", &P::tau_decay_GABA_B, "GABA_B decay time");
  potential("E_rev_GABA_B", &P::E_rev_GABA_B, "GABA_B reversal potential");
  conductance("g_peak_NaP", &P::g_peak_NaP);
  potential("E_rev_NaP", &P::E_rev_NaP, "persistent Na current reversal potential");
  if (gating_exponents) b.real("N_NaP", &P::N_NaP, "", Check::any, "exponent of the I_NaP activation");
  conductance("g_peak_KNa", &P::g_peak_KNa);
  potential("E_rev_KNa", &P::E_rev_KNa, "depolarisation-activated K current reversal potential");
  time_constant("tau_D_KNa", &P::tau_D_KNa, "time constant of the Na influx variable D");
  conductance("g_peak_T", &P::g_peak_T);
  potential("E_rev_T", &P::E_rev_T, "low-threshold Ca current reversal potential");
  if (gating_exponents) b.real("N_T", &P::N_T, "", Check::any, "exponent of the I_T activation");
  conductance("g_peak_h", &P::g_peak_h);
  potential("E_rev_h", &P::E_rev_h, "hyperpolarisation-activated current reversal potential");
  b.boolean("voltage_clamp", &P::voltage_clamp, "hold V_m at its value at the start of each Simulate");
}

// The settable state V_m and theta, the action flag `equilibrate` and the read-only entries.
template <class Group>
void add_ht_state(ParamBinder<typename Group::Prototype>& b) {
  using Proto = typename Group::Prototype;
  auto state_entry = [&b](const char* name, int index, const char* doc) {
    b.custom(
        {name, ParamKind::real, "mV", Check::any, doc},
        [index](Proto& p, const Value& v, const std::string& path) {
          const double x = v.as_double();
          if (std::isnan(x)) throw UserError(path, "must be a number, got NaN");
          p.y[index] = x;
        },
        [index](const Proto& p) { return Value(p.y[index]); });
    b.state();
  };
  state_entry("V_m", Group::Index::V_M, "membrane potential");
  state_entry("theta", Group::Index::THETA, "spike threshold");
  b.custom(
      {"equilibrate", ParamKind::boolean, "", Check::any,
       "action: set the gating variables to equilibrium at V_m (with the parameters before this call)", false, false,
       true},
      [](Proto& p, const Value& v, const std::string&) { p.equilibrate_requested = v.as_bool(); },
      [](const Proto&) { return Value(false); });
  b.custom(
       {"t_spike", ParamKind::real, "ms", Check::any, "time of the latest spike, -1 if none"},
       [](Proto&, const Value&, const std::string&) {}, [](const Proto&) { return Value(-1.0); })
      .read_only();
  b.custom(
       {"receptor_types", ParamKind::any, "", Check::any, "receptor numbers by name"},
       [](Proto&, const Value&, const std::string&) {},
       [](const Proto&) { return Value(Group::receptor_type_names()); })
      .read_only();
}

// NEST's checks between parameters: rise < decay for the four receptors, fast < slow Mg unblock.
void check_ht_relations(const HtParameters& p);

// ------------------------------------------------------------------------ model interface

template <class Variant>
void HtNeuronGroup<Variant>::apply(Prototype& p, const Dict& d, const std::string& model) {
  Prototype next = p;
  next.equilibrate_requested = false;
  apply_parameters(binder(), next, d, model);
  check_relations(next);
  if (next.equilibrate_requested) p.template equilibrate<Index>(next.y, next.y[Index::V_M]);  // old parameters
  next.equilibrate_requested = false;
  p = std::move(next);
}

template <class Variant>
std::vector<std::string> HtNeuronGroup<Variant>::recordable_names() {
  std::vector<std::string> names;
  for (const ht::Recordable& r : Variant::recordables) names.emplace_back(r.name);
  return names;
}

template <class Variant>
Dict HtNeuronGroup<Variant>::receptor_type_names() {
  Dict d;
  for (std::size_t k = 0; k < Variant::receptors.size(); ++k)
    d.set(Variant::receptors[k], static_cast<long long>(k + 1));
  return d;
}

template <class Variant>
const std::vector<std::string>& HtNeuronGroup<Variant>::recordables() const {
  static const std::vector<std::string> names = recordable_names();
  return names;
}

template <class Variant>
HtNeuronGroup<Variant>::HtNeuronGroup(const NodeModel& model, NodeId first, std::size_t n, const Prototype& proto,
                                      const VpLayout& layout)
    : NodeGroup(model, first, n, layout),
      params_(local_size(), proto),
      set_of_(local_size(), 0),
      nodes_(local_size()),
      last_spike_(local_size(), -1) {
  for (std::size_t i = local_begin(); i < local_end(); ++i) set_initial_state(i, proto);
}

template <class Variant>
void HtNeuronGroup<Variant>::set_initial_state(std::size_t i, const Prototype& proto) {
  HtCell<Variant>& s = cell(i);
  s.y = proto.y;
  s.ref_steps = 0;
  s.last = HtCurrents{};
  s.derivative_known = false;
}

template <class Variant>
typename HtNeuronGroup<Variant>::Prototype HtNeuronGroup<Variant>::prototype_of(std::size_t i) const {
  Prototype p;
  static_cast<Parameters&>(p) = param(i);
  p.y = cell(i).y;
  return p;
}

template <class Variant>
void HtNeuronGroup<Variant>::set_status(std::size_t i, const Dict& d) {
  if (!is_local(i)) {  // another process holds the node: check the values only
    Prototype p = dynamic_cast<const NodeModelOf<HtNeuronGroup>&>(model()).prototype();
    apply(p, d, model_name());
    return;
  }
  Prototype p = prototype_of(i);
  apply(p, d, model_name());
  param(i) = p;
  cell(i).y = p.y;
  cell(i).derivative_known = false;
}

template <class Variant>
Dict HtNeuronGroup<Variant>::get_status(std::size_t i) const {
  if (!is_local(i)) return Dict{{"local", Value(false)}};  // as NEST: another process holds it
  Dict d = describe(prototype_of(i));
  d.set("t_spike", last_spike(i) < 0 ? -1.0 : grid().steps_to_ms(last_spike(i)));
  return d;
}

template <class Variant>
int HtNeuronGroup<Variant>::spike_buffer(long receptor) const {
  const auto ports = static_cast<long>(Variant::receptors.size());
  if (receptor >= 1 && receptor <= ports) return static_cast<int>(receptor - 1);
  std::ostringstream os;
  os << "model " << model_name() << " takes spikes only on receptors ";
  for (long r = 1; r <= ports; ++r)
    os << (r == 1 ? "" : r == ports ? " and " : ", ") << r << " (" << Variant::receptors[r - 1] << ")";
  os << ", not on receptor " << receptor;
  throw UserError("receptor_type", os.str());
}

template <class Variant>
int HtNeuronGroup<Variant>::current_buffer(long receptor) const {
  if (receptor == 0) return Index::current_buffer;
  throw UserError("receptor_type", "model " + model_name() + " takes currents only on receptor 0, not on receptor " +
                                       std::to_string(receptor));
}

template <class Variant>
void HtNeuronGroup<Variant>::init_buffers() {
  h_ = grid().steps_to_ms(1);
  for (std::size_t i = local_begin(); i < local_end(); ++i) {
    cell(i).step = h_;
    cell(i).I_stim = 0.0;
    cell(i).derivative_known = false;
    last_spike(i) = -1;
  }
}

template <class Variant>
void HtNeuronGroup<Variant>::reset_state() {
  const auto& proto = dynamic_cast<const NodeModelOf<HtNeuronGroup>&>(model()).prototype();
  for (std::size_t i = local_begin(); i < local_end(); ++i) set_initial_state(i, proto);
}

template <class Variant>
void HtNeuronGroup<Variant>::calibrate(const CalibrationContext& ctx) {
  // Neurons with equal parameters share their constants (a hash of each set finds its equals).
  constant_sets_.clear();
  parameter_sets_.clear();
  std::unordered_multimap<std::size_t, std::uint32_t> by_hash;
  for (std::size_t i = local_begin(); i < local_end(); ++i) {
    const auto refractory = ctx.grid->ms_to_steps(param(i).t_ref);
    const auto c = HtConstants<Variant>::from(param(i), cell(i).y[Index::V_M], static_cast<int>(refractory),
                                              ctx.grid->steps_to_ms(1));
    cell(i).derivative_known = false;
    // Equal constants and equal parameters (the update loop reads some directly).
    auto same_set = [&](std::uint32_t set) { return constant_sets_[set] == c && parameter_sets_[set] == param(i); };
    if (i > local_begin() && same_set(set_index(i - 1))) {  // the common case: as the previous node
      set_index(i) = set_index(i - 1);
      continue;
    }
    std::size_t hash = 0;
    zip_rates(c, c, [&hash](double x, double) { hash = hash * 1000003u ^ std::hash<double>{}(x); });
    auto [it, stop] = by_hash.equal_range(hash);
    while (it != stop && !same_set(it->second)) ++it;
    if (it != stop) {
      set_index(i) = it->second;
    } else {
      set_index(i) = static_cast<std::uint32_t>(constant_sets_.size());
      by_hash.emplace(hash, set_index(i));
      constant_sets_.push_back(c);
      parameter_sets_.push_back(param(i));
    }
  }
  const ht::LanePath path = ht::lane_path();
  lane_kernel_ = ht::lane_kernel<Variant>(path);
  lane_width_ = lane_kernel_ ? ht::lane_width(path) : 1;
}

// ------------------------------------------------------------------------ simulation

template <class Variant>
NESTLING_VECTOR_CLONES bool HtNeuronGroup<Variant>::integrate_step(std::size_t i, Integrator& integrator) {
  return ht::advance(cell(i), constants(i), h_, integrator);
}

template <class Variant>
unsigned HtNeuronGroup<Variant>::integrate_cells(UpdateContext& ctx, std::size_t first, int n, int lag,
                                                 Integrator& integrator) {
  unsigned spiked = 0;
  for (int j = 0; j < n; ++j) {
    const std::size_t i = first + static_cast<std::size_t>(j);
    if (integrate_step(i, integrator)) spiked |= 1u << j;
    if (integrator.failed()) integration_failed(ctx, i, lag, integrator.failure(), ht::state_names<Variant>());
  }
  return spiked;
}

template <class Variant>
unsigned HtNeuronGroup<Variant>::integrate_lanes(UpdateContext& ctx, ht::LaneBlock<Variant>& block, std::size_t first,
                                                 int lag, Integrator& integrator) {
  if (lane_kernel_(block)) return block.spiked;
  block.store();
  const unsigned spiked = integrate_cells(ctx, first, block.n, lag, integrator);
  block.load();
  return spiked;
}

template <class Variant>
template <class Access>
void HtNeuronGroup<Variant>::add_arriving_input(UpdateContext& ctx, std::size_t i, double* in, const Access& s) {
  if constexpr (!Variant::gaba_b1a) {
    for (int r = 0; r < Index::channels; ++r) {
      double& arrived = in[r];
      if (arrived != 0.0) {
        const HtConstants<Variant>& k = constants(i);  // looked up only for an input
        s.y(Index::dg(r)) += k.cond_step[r] * arrived;
        ht::refresh_channel_derivative<Variant>(s, k, r);
        arrived = 0.0;
      }
    }
  } else {
    // Arriving weights are scaled by x_r of the present, capped GABA_B1a conductance, and
    // GABA_B1a's own input by its soft bound (mc-sleep §1.6). Only DG values change here, so
    // g_B1a is the same for every receptor. NEST adds c·B·x even when nothing arrived (B = 0);
    // that changes nothing unless c or the soft bound is not finite (tau_rise = tau_decay, or
    // g_max_GABA_B1a = 0: NaN), so only then is the addition made without input. x is finite.
    const HtConstants<Variant>& k = constants(i);
    const Parameters& p = parameter_sets_[set_index(i)];
    const double g_b1a = p.capped_gaba_b1a(s.y(Index::g(Index::gaba_b1a)));
    auto add = [&](int r, double factor) {
      double& arrived = in[r];
      if (arrived != 0.0 || !std::isfinite(k.cond_step[r] * factor)) {
        const double jump = k.cond_step[r] * arrived * p.scaling(r, g_b1a) * factor;
        if (!(jump == 0.0)) {
          s.y(Index::dg(r)) += jump;
          ht::refresh_channel_derivative<Variant>(s, k, r);
        }
        arrived = 0.0;
      }
    };
    for (int r = 0; r < Index::conductances; ++r) add(r, 1.0);
    add(Index::gaba_b1a, 1 - (g_b1a / p.g_max_GABA_B1a));
  }
  if constexpr (Variant::minis) {
    // One mini per step with any positive MINI input, whatever its size (mc-sleep §1.8).
    double& mini = in[Index::mini_buffer];
    if (mini > 0.0) {
      const Parameters& p = parameter_sets_[set_index(i)];
      s.y(Index::V_M) += p.mini_mean + p.mini_sigma * standard_normal_polar(ctx.node_stream(local_index(i)));
      s.forget_derivative();
    }
    mini = 0.0;
  }
  double& current = in[Index::current_buffer];
  if (current != s.I_stim()) {
    s.I_stim() = current;  // applies during the next step
    s.forget_derivative();
  }
  current = 0.0;
}

template <class Variant>
void HtNeuronGroup<Variant>::update(UpdateContext& ctx, std::size_t begin, std::size_t end) {
  Integrator integrator({.eps_abs = 1e-3, .eps_rel = 0.0, .a_y = 1.0, .a_dydt = 0.0});
  integrator.assume_equal_intervals(true);
  const auto width = static_cast<std::size_t>(lane_width_);
  // Spikes of the block per lag, emitted after the block's slice in node order: the thread's
  // register stays sorted by (node, lag), which the kernel merges without sorting.
  std::vector<unsigned> spikes_at(static_cast<std::size_t>(ctx.to));
  ht::LaneBlock<Variant> block;
  block.h = h_;
  for (std::size_t first = begin; first < end; first += width) {
    const std::size_t stop = std::min(first + width, end);
    const int n = static_cast<int>(stop - first);
    // The next block's cells and input rows are fetched while this one integrates: at the
    // sleep network's size they come from memory, and loading them stalled the loop. A part at
    // every lag: all at once, the prefetches themselves stalled on the outstanding misses.
    const std::size_t next_stop = std::min(stop + width, end);
    Prefetch next_cells;
    if (stop < next_stop) {
      next_cells.at = reinterpret_cast<const char*>(&cell(stop));
      next_cells.end = reinterpret_cast<const char*>(&cell(next_stop - 1) + 1);
      next_cells.split(static_cast<std::size_t>(ctx.to - ctx.from));
    }
    // A block of one neuron stays with the scalar code.
    const bool lanes = lane_kernel_ != nullptr && n > 1;
    if (lanes) {
      block.n = n;
      for (int j = 0; j < n; ++j) {
        block.cell[j] = &cell(first + static_cast<std::size_t>(j));
        block.k[j] = &constants(first + static_cast<std::size_t>(j));
      }
      block.load();
    }
    // Runs f on node i's state, in the block's lane or in its cell.
    auto with_state = [&](std::size_t i, auto&& f) {
      if (lanes) {
        f(ht::LaneAccess<Variant>{block, static_cast<int>(i - first)});
      } else {
        f(ht::CellAccess<Variant>{cell(i)});
      }
    };
    unsigned any_spike = 0;
    for (int lag = ctx.from; lag < ctx.to; ++lag) {
      if (stop < next_stop) {
        next_cells.next();
        Prefetch::now(inputs(ctx, stop, ctx.slot(lag)), inputs(ctx, next_stop - 1, ctx.slot(lag)) + Index::buffers);
      }
      if constexpr (Variant::gap) {  // S, then P, per lag
        for (std::size_t i = first; i < stop; ++i) {
          double* gap_in = gap_inputs(ctx, i);
          const ht::GapInput input{gap_in[lag], gap_in[ctx.min_delay + lag]};
          with_state(i, [&](const auto& s) { ht::take_gap_input<Variant>(s, input); });
          gap_in[lag] = gap_in[ctx.min_delay + lag] = 0.0;
        }
      }
      const unsigned spiked =
          lanes ? integrate_lanes(ctx, block, first, lag, integrator) : integrate_cells(ctx, first, n, lag, integrator);
      spikes_at[static_cast<std::size_t>(lag)] = spiked;
      any_spike |= spiked;
      // Node first + j's buffers at in_block + j * buffers (the slot: a division, once per lag).
      double* const in_block = inputs(ctx, first, ctx.slot(lag));
      // A sampled lane is copied to its cell for the recorder: only at steps with a sample due
      // (every tenth at a 1 ms interval), not at every step.
      const bool sampling = sampling_due(ctx.origin + lag + 1);
      for (std::size_t i = first; i < stop; ++i) {
        if (spiked & (1u << (i - first))) last_spike(i) = ctx.origin + lag + 1;
        double* in = in_block + (i - first) * static_cast<std::size_t>(Index::buffers);
        with_state(i, [&](const auto& s) { add_arriving_input(ctx, i, in, s); });
        if (sampling && sampled(i)) {
          if (lanes) block.store_lane(static_cast<int>(i - first));  // the recorder reads the cell
          sample(ctx, i, ctx.origin + lag + 1);
        }
      }
    }
    if (lanes) block.store();
    if (any_spike != 0) {
      for (std::size_t i = first; i < stop; ++i)
        for (int lag = ctx.from; lag < ctx.to; ++lag)
          if (spikes_at[static_cast<std::size_t>(lag)] & (1u << (i - first)))
            ctx.emit(first_gid() + i, lag, EventKind::spike, 1.0);
    }
    if constexpr (Variant::gap) {  // the slice's gap input is forgotten when a call ends (mc-sleep §1.7 step 13)
      for (std::size_t i = first; i < stop; ++i) {
        double* gap_in = gap_inputs(ctx, i);
        for (int lag = ctx.to; lag < ctx.min_delay; ++lag) gap_in[lag] = gap_in[ctx.min_delay + lag] = 0.0;
      }
    }
  }
}

template <class Variant>
double HtNeuronGroup<Variant>::recordable_value(std::size_t i, int which) const {
  const HtCell<Variant>& s = cell(i);
  const ht::Recordable& r = Variant::recordables[static_cast<std::size_t>(which)];
  switch (r.what) {
    case ht::Quantity::V_m:
      return s.y[Index::V_M];
    case ht::Quantity::theta:
      return s.y[Index::THETA];
    case ht::Quantity::g:
      return s.y[Index::g(r.channel)];
    case ht::Quantity::g_NMDA: {
      // NEST recomputes the unblock from the stored (already clamped) m values and reports the
      // unclamped mix (the right-hand side clamps m_fast and m_slow to m_eq).
      const Parameters& p = param(i);
      const double V = s.y[Index::V_M];
      return s.y[Index::g(1)] * nmda_open_fraction(V, p.m_eq_NMDA(V), s.y[Index::M_FAST_NMDA], s.y[Index::M_SLOW_NMDA],
                                                   p.instant_unblock_NMDA);
    }
    case ht::Quantity::g_GABA_B1a:
    case ht::Quantity::x_GABA_B1a:
      if constexpr (Variant::gaba_b1a) {
        const double g = param(i).capped_gaba_b1a(s.y[Index::g(Index::gaba_b1a)]);
        return r.what == ht::Quantity::g_GABA_B1a ? g : param(i).scaling(1, g);  // x of NMDA (mc-sleep §1.6)
      }
      return 0.0;
    case ht::Quantity::I_NaP:
      return s.last.I_NaP;
    case ht::Quantity::I_KNa:
      return s.last.I_KNa;
    case ht::Quantity::I_T:
      return s.last.I_T;
    case ht::Quantity::I_h:
      return s.last.I_h;
    case ht::Quantity::I_gap:
      return s.last.I_gap;
  }
  return 0.0;
}

}  // namespace nestling
