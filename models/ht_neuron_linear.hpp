// The linear part of the Hill–Tononi state, advanced by the Runge–Kutta step's own linear map.
//
// θ and the beta channels' DG and G obey linear equations with constant coefficients
// (θ' = −(θ − θ_eq)/τ_θ, DG' = −DG/τ_rise, G' = DG − G/τ_decay) that nothing else feeds. For
// such a system, one RKF45 step of length s maps the state through fixed matrices: every stage
// value, the fifth-order solution and the error estimate are polynomials in s/τ times the state
// at the step's start. With s the resolution (the step almost every neuron takes) those
// coefficients are computed once per parameter set, and the step then costs two products per
// entry and stage instead of the stages' weighted sums (a fifth of the integration's
// arithmetic). The values are the same Runge–Kutta values, rounded differently (their
// difference is a few ulps); the step control sees the same error estimate. Steps of any other
// length take the plain stages. The scalar code and the lanes take the same choice per neuron
// and step, from the step length alone, so that they compute the same bits.
//
// Only G is read by the rest of the right-hand side (the synaptic currents), so a stage needs
// G alone; DG and θ matter at the step's end.
#pragma once

#include <array>
#include <cstddef>
#include <type_traits>

#include "engine/ode/gsl_style_rkf45.hpp"
#include "engine/ode/lanes.hpp"

namespace nestling::ht {

// The step's linear map for `channels` beta channels and θ, one T per lane (T = double for a
// neuron or for lanes that share it). Stage j (1..5) reads G_j = g_from_g·G + g_from_dg·DG.
template <int channels, class T = double>
struct LinearStepMap {
  std::array<std::array<T, channels>, 6> stage_g_from_dg, stage_g_from_g;  // index 0 unused
  std::array<T, channels> end_dg, end_g_from_dg, end_g_from_g;              // fifth-order solution
  std::array<T, channels> err_dg, err_g_from_dg, err_g_from_g;              // error estimate
  T end_theta, err_theta;                                                   // of θ − θ_eq
};

// Calls f(a.x, b.x) for every coefficient of two maps (to fill lanes from scalar maps).
template <class A, class B, class F>
void zip_step_maps(A& a, B& b, F&& f) {
  auto each = [&f](auto& x, auto& y) {
    for (std::size_t i = 0; i < x.size(); ++i) f(x[i], y[i]);
  };
  for (std::size_t j = 0; j < a.stage_g_from_dg.size(); ++j) {
    each(a.stage_g_from_dg[j], b.stage_g_from_dg[j]);
    each(a.stage_g_from_g[j], b.stage_g_from_g[j]);
  }
  each(a.end_dg, b.end_dg), each(a.end_g_from_dg, b.end_g_from_dg), each(a.end_g_from_g, b.end_g_from_g);
  each(a.err_dg, b.err_dg), each(a.err_g_from_dg, b.err_g_from_dg), each(a.err_g_from_g, b.err_g_from_g);
  f(a.end_theta, b.end_theta), f(a.err_theta, b.err_theta);
}

// Fehlberg's a_jm (stage j = 1..5 from stage m < j).
inline double fehlberg_stage_weight(int j, int m) {
  using F = ode::Fehlberg;
  const double* rows[5] = {F::a2, F::a3, F::a4, F::a5, F::a6};
  return rows[j - 1][m];
}

// The map of one step of length s, computed in extended precision by running the stages on
// the basis vectors (the same tableau, so exactly the Runge–Kutta map up to rounding).
template <int channels>
LinearStepMap<channels> linear_step_map(double s, const std::array<double, channels>& inv_tau_rise,
                                        const std::array<double, channels>& inv_tau_decay, double inv_tau_theta) {
  using X = long double;
  using F = ode::Fehlberg;
  LinearStepMap<channels> map{};
  // One step of (DG, G)' = (−a·DG, DG − b·G) from (dg0, g0); `stage_g[j]` gets G_j.
  auto run = [s](X a, X b, X dg0, X g0, X* stage_g, X& dg_end, X& g_end, X& dg_err, X& g_err) {
    X k_dg[6], k_g[6];
    k_dg[0] = -a * dg0;
    k_g[0] = dg0 - b * g0;
    for (int j = 1; j < 6; ++j) {
      X dg = dg0, g = g0;
      for (int m = 0; m < j; ++m) {
        dg += X(fehlberg_stage_weight(j, m)) * s * k_dg[m];
        g += X(fehlberg_stage_weight(j, m)) * s * k_g[m];
      }
      stage_g[j] = g;
      k_dg[j] = -a * dg;
      k_g[j] = dg - b * g;
    }
    dg_end = dg0, g_end = g0, dg_err = 0, g_err = 0;
    for (int m = 0; m < 6; ++m) {
      dg_end += X(F::b[m]) * s * k_dg[m];
      g_end += X(F::b[m]) * s * k_g[m];
      dg_err += X(F::e[m]) * s * k_dg[m];
      g_err += X(F::e[m]) * s * k_g[m];
    }
  };
  for (std::size_t q = 0; q < static_cast<std::size_t>(channels); ++q) {
    X stage_g[6], dg_end, g_end, dg_err, g_err;
    run(inv_tau_rise[q], inv_tau_decay[q], 1, 0, stage_g, dg_end, g_end, dg_err, g_err);
    for (int j = 1; j < 6; ++j) map.stage_g_from_dg[j][q] = static_cast<double>(stage_g[j]);
    map.end_dg[q] = static_cast<double>(dg_end);
    map.end_g_from_dg[q] = static_cast<double>(g_end);
    map.err_dg[q] = static_cast<double>(dg_err);
    map.err_g_from_dg[q] = static_cast<double>(g_err);
    run(inv_tau_rise[q], inv_tau_decay[q], 0, 1, stage_g, dg_end, g_end, dg_err, g_err);
    for (int j = 1; j < 6; ++j) map.stage_g_from_g[j][q] = static_cast<double>(stage_g[j]);
    map.end_g_from_g[q] = static_cast<double>(g_end);
    map.err_g_from_g[q] = static_cast<double>(g_err);
  }
  // θ − θ_eq decays like DG.
  X stage_g[6], theta_end, unused_g, theta_err, unused_err;
  run(inv_tau_theta, 0, 1, 0, stage_g, theta_end, unused_g, theta_err, unused_err);
  map.end_theta = static_cast<double>(theta_end);
  map.err_theta = static_cast<double>(theta_err);
  return map;
}

// A coefficient as lanes: broadcast where the map is shared (a load, no register filled ahead).
template <class D, class T>
NESTLING_ALWAYS_INLINE D coefficient(const T& x) {
  if constexpr (std::is_same_v<T, double>) {
    return ode::splat<D>(x);
  } else {
    return x;
  }
}

// Entry i of the step's end state (`error` false) or of its error estimate (`error` true), for
// a linear entry i of layout L, from the state y at the step's start.
template <class L, bool error, class D, class Map>
NESTLING_ALWAYS_INLINE D linear_end(const Map& map, const D* y, int i, D theta_eq) {
  if (i == L::THETA) {
    const D scaled = coefficient<D>(error ? map.err_theta : map.end_theta) * (y[L::THETA] - theta_eq);
    return error ? scaled : scaled + theta_eq;
  }
  const auto q = static_cast<std::size_t>((i - 2) / 2);
  const D dg = y[L::dg(static_cast<int>(q))];
  if (i == L::dg(static_cast<int>(q))) return coefficient<D>(error ? map.err_dg[q] : map.end_dg[q]) * dg;
  const D g = y[L::g(static_cast<int>(q))];
  return ode::fma_of(coefficient<D>(error ? map.err_g_from_g[q] : map.end_g_from_g[q]), g,
                     coefficient<D>(error ? map.err_g_from_dg[q] : map.end_g_from_dg[q]) * dg);
}

// A Runge–Kutta stage's state y + (a₁·s)·k₁ + ... + (a_T·s)·k_T, entry i computed when read
// (the lanes' kernel stores no stage vector), one fused multiply-add per term, left to right,
// as Boost.Odeint's generic stepper with ode::FusedOperations computes it.
template <class D, int terms>
struct StageSum {
  const D* y;
  const D* const* k;
  D as[terms];
  StageSum(const D* y_, const D* const* k_, const double (&a)[terms], D s) : y(y_), k(k_) {
    for (int j = 0; j < terms; ++j) as[j] = a[j] * s;
  }
  NESTLING_ALWAYS_INLINE D operator[](int i) const {
    D sum = y[i];
    for (int j = 0; j < terms; ++j) sum = ode::fma_of(as[j], k[j][i], sum);
    return sum;
  }
};

// Stage `terms` (1..5) with the linear entries from the step map: on every lane (`mixed`
// false: the right-hand side then skips the linear entries' derivatives, which no one reads),
// or on the lanes of `use` only, the others summing as StageSum.
template <class L, class D, int terms, class Map, bool mixed>
struct MappedStage {
  static constexpr bool linear_derivatives_unread = !mixed;
  StageSum<D, terms> sum;
  const Map* map;
  ode::MaskOf<D> use{};
  NESTLING_ALWAYS_INLINE D operator[](int i) const {
    if (!L::linear(i)) return sum[i];
    if (i != L::g((i - 2) / 2)) return mixed ? sum[i] : sum.y[i];  // DG, θ: read for their own derivatives
    const auto q = static_cast<std::size_t>((i - 2) / 2);
    const D mapped = ode::fma_of(coefficient<D>(map->stage_g_from_g[terms][q]), sum.y[i],
                                 coefficient<D>(map->stage_g_from_dg[terms][q]) * sum.y[i - 1]);
    if constexpr (mixed) {
      return ode::select(use, mapped, sum[i]);
    } else {
      return mapped;
    }
  }
};

}  // namespace nestling::ht
