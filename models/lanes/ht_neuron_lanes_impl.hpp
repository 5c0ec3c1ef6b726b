// The block-step of ht_neuron_lanes.hpp, included once per lane count by the translation units
// of this folder, each built for its instruction set (CMake). It mirrors ht::advance and
// GslStyleRkf45::apply with the lanes' decisions as masks: a lane whose attempt is rejected
// retries while the others wait, a lane whose step is done stops committing.
#pragma once

#include <cfloat>
#include <cmath>
#include <new>

#include "engine/ode/gsl_style_rkf45.hpp"
#include "engine/ode/lanes.hpp"
#include "models/ht_neuron_lanes.hpp"
#include "models/ht_neuron_linear.hpp"

namespace nestling::ht {

template <class Variant, int W>
bool advance_lanes(LaneBlock<Variant>& b) {
  using D = ode::Lanes<W>;
  using M = ode::LaneMask<W>;
  using L = Layout<Variant>;
  using ode::select;
  using ode::splat;
  constexpr int S = L::size;
  // Far more attempts than any well-behaved step takes; beyond, the scalar code decides.
  constexpr int max_attempts = 1000;
  const int n = b.n;
  const double h = b.h;

  // Constants: one broadcast when the lanes share a set (the common case), else lane by lane;
  // filled at the first step after the block's load and kept for the slice's other steps.
  const HtConstants<Variant>& k0 = *b.k[0];
  static_assert(sizeof(HtRates<Variant, D>) <= sizeof(b.rates) && alignof(HtRates<Variant, D>) <= 64);
  if (b.rates_width != W) {
    if (!k0.lane_friendly() || k0.mapped_step != h) return false;
    bool shared = true;
    for (int j = 1; j < n; ++j) {
      if (b.k[j] == b.k[0]) continue;
      shared = false;
      if (!b.k[j]->lane_friendly() || b.k[j]->N_NaP.whole != k0.N_NaP.whole || b.k[j]->N_T.whole != k0.N_T.whole ||
          b.k[j]->mapped_step != h)
        return false;
    }
    auto* rates = new (b.rates) HtRates<Variant, D>;
    if (shared) {
      zip_rates(*rates, k0, [](D& lanes, double x) { lanes = splat<D>(x); });
    } else {
      for (int j = 0; j < W; ++j) zip_rates(*rates, *b.k[j < n ? j : 0], [j](D& lanes, double x) { lanes[j] = x; });
    }
    b.rates_width = W;
    b.rates_shared = shared;
  }
  const bool shared = b.rates_shared;
  const HtRates<Variant, D>& c = *std::launder(reinterpret_cast<const HtRates<Variant, D>*>(b.rates));

  // The block's rows, W lanes at a time.
  auto row = [](const double* from) {
    D v;
    __builtin_memcpy(&v, from, sizeof(D));
    return v;
  };
  auto flags = [](const std::int64_t* from) {
    M v;
    __builtin_memcpy(&v, from, sizeof(M));
    return v;
  };
  // State and derivative: with a block of the full width the kernel works in the block's rows
  // (copying them in and out took 5% of its time), narrower lanes in copies. Either way a block
  // handed back to the scalar code must hold what it held on entry: see `decline`.
  typedef D RowLanes __attribute__((may_alias));
  D y_copy[S], dydt_copy[S];
  D* y = y_copy;
  D* dydt = dydt_copy;
  if constexpr (W == LaneBlock<Variant>::max_lanes) {
    y = reinterpret_cast<RowLanes*>(b.y);
    dydt = reinterpret_cast<RowLanes*>(b.dydt);
  } else {
    for (int i = 0; i < S; ++i) {
      y_copy[i] = row(b.y[i]);
      dydt_copy[i] = row(b.dydt[i]);
    }
  }
  // A step that takes more than one attempt commits lanes before it may turn out to need the
  // scalar code; the state is saved before that first commit and restored on declining.
  D y_saved[S], dydt_saved[S];
  bool saved = false;
  auto decline = [&] {
    if (saved) {
      for (int i = 0; i < S; ++i) {
        y[i] = y_saved[i];
        dydt[i] = dydt_saved[i];
      }
    }
    return false;
  };
  D step = row(b.step);
  const D I_stim = row(b.I_stim);
  HtCurrentsOf<D> last{row(b.I_NaP), row(b.I_KNa), row(b.I_T), row(b.I_h), row(b.m_eq_NMDA), row(b.I_gap)};
  GapInputOf<Variant, D> gap;
  if constexpr (Variant::gap) gap = {row(b.gap_weight_sum), row(b.gap_potential)};
  M known = flags(b.known), ref_steps = flags(b.ref_steps);
  M refractory = ref_steps > 0;
  M valid;
  for (int j = 0; j < W; ++j) valid[j] = j < n ? -1 : 0;

  M exp_outside{};
  HtCurrentsOf<D> scratch;
  HtRhs<Variant, D> rhs{&c, &k0, I_stim, refractory, &scratch, gap, &exp_outside};
  M spiked{};

  // Voltage clamp excluded: NMDA block and spike test on the lanes of `m` (ht::settle).
  auto settle = [&](M m) {
    y[L::M_FAST_NMDA] = select(m, ode::min_of(last.m_eq_NMDA, y[L::M_FAST_NMDA]), y[L::M_FAST_NMDA]);
    y[L::M_SLOW_NMDA] = select(m, ode::min_of(last.m_eq_NMDA, y[L::M_SLOW_NMDA]), y[L::M_SLOW_NMDA]);
    const M fire = m & (ref_steps == 0) & (y[L::V_M] >= y[L::THETA]);
    if (!ode::any_of(fire)) return;
    M ref_start;
    for (int j = 0; j < W; ++j)
      ref_start[j] = b.k[j < n ? j : 0]->refractory_steps + 1;  // the decrement at the end of this step makes it R
    y[L::V_M] = select(fire, c.E_Na, y[L::V_M]);
    y[L::THETA] = select(fire, c.E_Na, y[L::THETA]);
    ref_steps = select(fire, ref_start, ref_steps);
    known &= ~fire;
    refractory |= fire;  // integration goes on to the end of the step with I_spike
    rhs.refractory = refractory;
    spiked |= fire;
  };

  using F = ode::Fehlberg;
  using StepMap = LinearStepMap<L::channels>;
  using LaneStepMap = LinearStepMap<L::channels, D>;
  LaneStepMap lane_map;  // filled lane by lane when a block first needs it
  bool lane_map_filled = false;
  M active = valid;
  D t = splat<D>(0.0);
  for (int attempts = 0; ode::any_of(active); ++attempts) {
    if (attempts == max_attempts) return decline();
    // GSL evaluates the derivative at the start of every call; a lane keeps it unless its
    // state or inputs changed.
    const M need = active & ~known;
    if (ode::any_of(need)) {
      D f[S];
      rhs(y, f);
      for (int i = 0; i < S; ++i) dydt[i] = select(need, f[i], dydt[i]);
      known |= need;
    }
    // The proposal, cut to end exactly at h (backed off by ulps where t + span rounds past h).
    const D span = h - t;
    const M whole = step >= span;
    D s = select(whole, span, step);
    const M over = active & whole & (t + s > h);
    if (ode::any_of(over)) {
      for (int j = 0; j < W; ++j)
        if (over[j])
          while (t[j] + s[j] > h) s[j] = std::nextafter(s[j], 0.0);
    }

    // The six stages, the fifth-order solution, the error and the end point's derivative, as
    // ht::HtStepper computes them: x = y + (a₁·s)·k₁ + (a₂·s)·k₂ + ..., one fused multiply-add
    // per term, left to right, and the linear entries from the step map on the lanes whose step
    // has the mapped length (all of them, nearly always: then the stages skip the linear sums).
    // A stage's x is summed entry by entry as the right-hand side reads it, never stored: the
    // kernel's time went to storing and reloading vectors.
    D k2[S], k3[S], k4[S], k5[S], k6[S], y_new[S], f_new[S];
    const D* const k[6] = {dydt, k2, k3, k4, k5, k6};
    const M on_map = s == splat<D>(h);
    constexpr int chains = 4;
    D largest[chains];
    HtCurrentsOf<D> at_end;
    auto attempt = [&]<bool all_mapped>() {
      auto stage = [&]<int terms>(const double (&a)[terms], D* out) {
        const StageSum<D, terms> sum(y, k, a, s);
        if constexpr (all_mapped) {
          rhs(MappedStage<L, D, terms, StepMap, false>{sum, &k0.step_map}, out);
        } else {
          rhs(MappedStage<L, D, terms, LaneStepMap, true>{sum, &lane_map, on_map}, out);
        }
      };
      stage(F::a2, k2);
      stage(F::a3, k3);
      stage(F::a4, k4);
      stage(F::a5, k5);
      stage(F::a6, k6);
      // Entry i of the end state (error false) or of the error estimate from the step map.
      auto mapped = [&]<bool error>(int i, D summed) {
        if constexpr (all_mapped) {
          return linear_end<L, error>(k0.step_map, y, i, c.theta_eq);
        } else {
          return select(on_map, linear_end<L, error>(lane_map, y, i, c.theta_eq), summed);
        }
      };
      const StageSum<D, 6> solution(y, k, F::b, s);
      for (int i = 0; i < S; ++i)
        y_new[i] = L::linear(i) ? mapped.template operator()<false>(i, all_mapped ? D{} : solution[i]) : solution[i];
      rhs.last = &at_end;
      rhs(y_new, f_new);
      rhs.last = &scratch;

      // GSL's standard control with eps_rel = 0: R = max|err_i| / eps_abs (at least DBL_MIN),
      // err = (e₁·s)·k₁ + (e₂·s)·k₂ + ... fused as the stages.
      // The maximum in four independent chains (one chain of compare-and-blend stalled): the
      // same value, as every chain skips NaN alike and abs leaves no −0 to tie with +0. Unrolled,
      // so that the chains stay in registers (as a loop they went through the stack).
      for (D& m : largest) m = splat<D>(0.0);
      D es[6];
      for (int j = 0; j < 6; ++j) es[j] = F::e[j] * s;
#pragma GCC unroll 32
      for (int i = 0; i < S; ++i) {
        D err{};
        if (!all_mapped || !L::linear(i)) {
          err = es[0] * k[0][i];
          for (int j = 1; j < 6; ++j) err = ode::fma_of(es[j], k[j][i], err);
        }
        if (L::linear(i)) err = mapped.template operator()<true>(i, err);
        largest[i % chains] = ode::max_of(largest[i % chains], ode::abs_of(err));
      }
    };
    if (shared && !ode::any_of(active & ~on_map)) {
      attempt.template operator()<true>();
    } else {
      if (!lane_map_filled) {
        for (int j = 0; j < W; ++j)
          zip_step_maps(lane_map, b.k[j < n ? j : 0]->step_map, [j](D& lanes, double x) { lanes[j] = x; });
        lane_map_filled = true;
      }
      attempt.template operator()<false>();
    }
    const D t_new = select(whole, splat<D>(h), t + s);

    // Overflow or the slow exponential's range: the scalar code's business.
    M finite = valid | ~valid;
    for (int i = 0; i < S; ++i) finite &= ode::abs_of(y_new[i]) <= DBL_MAX;
    if (ode::any_of(active & ~finite) || ode::any_of(exp_outside)) return decline();
    for (int chain = 1; chain < chains; ++chain) largest[0] = ode::max_of(largest[0], largest[chain]);
    D ratio = largest[0] / b.eps_abs;
    ratio = select(ratio > DBL_MIN, ratio, splat<D>(DBL_MIN));
    const M decrease = active & (ratio > 1.1);
    // Growth matters unless the step covered the whole interval (GslStyleRkf45::assume_equal_intervals).
    const M grow = active & (ratio < 0.5) & ~(whole & (t == 0.0));
    D next = s;
    if (ode::any_of(decrease | grow)) {
      using Control = ode::StandardStepControl;
      for (int j = 0; j < W; ++j) {
        if (decrease[j]) next[j] = s[j] * Control::decrease_factor(ratio[j], F::order);
        else if (grow[j]) next[j] = s[j] * Control::increase_factor(ratio[j], F::order);
      }
      // A step that cannot shrink without stalling: the scalar code reports it.
      if (ode::any_of(decrease & (t_new + next == t_new))) return decline();
    }
    const M reject = decrease & (next < s);
    next = select(decrease & ~reject, s, next);  // decreased but not smaller: the step stands
    const M commit = active & ~reject;
    if (!saved && ode::any_of(active & ~(commit & whole))) {  // another attempt follows
      for (int i = 0; i < S; ++i) {
        y_saved[i] = y[i];
        dydt_saved[i] = dydt[i];
      }
      saved = true;
    }
    for (int i = 0; i < S; ++i) {
      y[i] = select(commit, y_new[i], y[i]);
      dydt[i] = select(commit, f_new[i], dydt[i]);
    }
    last.I_NaP = select(commit, at_end.I_NaP, last.I_NaP);
    last.I_KNa = select(commit, at_end.I_KNa, last.I_KNa);
    last.I_T = select(commit, at_end.I_T, last.I_T);
    last.I_h = select(commit, at_end.I_h, last.I_h);
    last.m_eq_NMDA = select(commit, at_end.m_eq_NMDA, last.m_eq_NMDA);
    if constexpr (Variant::gap) last.I_gap = select(commit, at_end.I_gap, last.I_gap);
    t = select(commit, t_new, t);
    step = select(active, next, step);
    if constexpr (Variant::spike_test_per_substep) settle(commit);
    active &= t < h;
  }
  if constexpr (!Variant::spike_test_per_substep) settle(valid);
  // The refractory count ends; with it I_spike, so the derivative must be evaluated anew.
  const M counting = ref_steps > 0;
  ref_steps -= counting & 1;
  known &= ~(counting & (ref_steps == 0));

  auto put = [](double* to, D v) { __builtin_memcpy(to, &v, sizeof(D)); };
  auto put_flags = [](std::int64_t* to, M v) { __builtin_memcpy(to, &v, sizeof(M)); };
  if constexpr (W != LaneBlock<Variant>::max_lanes) {
    for (int i = 0; i < S; ++i) {
      put(b.y[i], y[i]);
      put(b.dydt[i], dydt[i]);
    }
  }
  put(b.step, step);
  put(b.I_NaP, last.I_NaP);
  put(b.I_KNa, last.I_KNa);
  put(b.I_T, last.I_T);
  put(b.I_h, last.I_h);
  put(b.m_eq_NMDA, last.m_eq_NMDA);
  if constexpr (Variant::gap) put(b.I_gap, last.I_gap);
  put_flags(b.known, known);
  put_flags(b.ref_steps, ref_steps);
  b.spiked = 0;
  for (int j = 0; j < n; ++j)
    if (spiked[j]) b.spiked |= 1u << j;
  return true;
}

}  // namespace nestling::ht
