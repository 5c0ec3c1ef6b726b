// Adaptive Runge–Kutta–Fehlberg 4(5) integration that takes the same steps as GSL's
// gsl_odeiv_evolve_apply with the rkf45 stepper and the standard step-size control
// (gsl_odeiv_control_standard_new, e.g. gsl_odeiv_control_y_new). NEST's GSL-based neuron
// models (ht_neuron) integrate this way; reproducing their traces needs the same step sizes.
//
// The Runge–Kutta stages come from Boost.Odeint's generic explicit error stepper with
// Fehlberg's tableau, its weighted sums fused (FusedOperations: one rounding per term, and the
// lane integration repeats the very same operations). The step-size control and the evolve
// rules are written here:
//   * every attempt evaluates the right-hand side once more at its end point (GSL's exact
//     dydt_out); callers that cache values computed by the right-hand side see those of the
//     accepted end point last;
//   * a proposal that reaches or passes the target time is cut to end exactly there (backed
//     off by ulps until t + h cannot pass the target); the cut step then seeds the next
//     proposal, so the carried step size shrinks to it unless the error allows growth;
//   * a step whose error is too large is undone and retried with the smaller proposal, unless
//     the proposal did not shrink, in which case it stands.
// Unlike GSL, a step whose result is not finite (an overflow) is retried with a fifth of the
// step, as a step with too large an error is. Where GSL would grind on, the integration fails
// (an ode::IntegrationFailure): a step whose error is too large, or whose result is not finite,
// but whose smaller proposal would no longer advance time (GSL keeps it), or more accepted
// sub-steps in one interval than `max_substeps`. A caller continues an interval by passing back
// the t it got; any other t (or t_end) starts a new interval and a new sub-step count.
#pragma once

#include <array>
#include <boost/numeric/odeint/algebra/array_algebra.hpp>
#include <boost/numeric/odeint/stepper/explicit_error_generic_rk.hpp>
#include <cfloat>
#include <cmath>
#include <cstddef>
#include <functional>
#include <stdexcept>

#include "engine/ode/integration_failure.hpp"
#include "engine/ode/lanes.hpp"

namespace nestling::ode {

template <std::size_t N>
using Vector = std::array<double, N>;

// Fehlberg's 4(5) pair (NASA TR R-315, 1969): stage coefficients a, fifth-order weights b,
// fifth- minus fourth-order weights e (the error estimate) and nodes c. The fifth-order solution
// is propagated and the difference to the fourth-order one is the error estimate, as in GSL's
// rkf45. (Shared with the lane integration, which must use the very same numbers.)
struct Fehlberg {
  static constexpr unsigned order = 5;  // the order GSL's control uses for the step-size exponents
  static constexpr double a2[1] = {1.0 / 4.0};
  static constexpr double a3[2] = {3.0 / 32.0, 9.0 / 32.0};
  static constexpr double a4[3] = {1932.0 / 2197.0, -7200.0 / 2197.0, 7296.0 / 2197.0};
  static constexpr double a5[4] = {439.0 / 216.0, -8.0, 3680.0 / 513.0, -845.0 / 4104.0};
  static constexpr double a6[5] = {-8.0 / 27.0, 2.0, -3544.0 / 2565.0, 1859.0 / 4104.0, -11.0 / 40.0};
  static constexpr double b[6] = {16.0 / 135.0, 0.0, 6656.0 / 12825.0, 28561.0 / 56430.0, -9.0 / 50.0, 2.0 / 55.0};
  static constexpr double e[6] = {1.0 / 360.0, 0.0, -128.0 / 4275.0, -2197.0 / 75240.0, 1.0 / 50.0, 2.0 / 55.0};
  static constexpr double c[6] = {0.0, 1.0 / 4.0, 3.0 / 8.0, 12.0 / 13.0, 1.0, 1.0 / 2.0};
};

// Boost.Odeint's operations for its Runge–Kutta steppers with the weighted sums
// t = α₁·x₁ + α₂·x₂ + ... fused: the first product, then one fused multiply-add per further
// term, left to right. Fewer instructions and roundings than default_operations; a stage is
// x = y + (a₁h)·k₁ + ... with α₁ = 1, so it starts exactly at y.
template <class Fac, int K>
struct FusedScaleSum {
  Fac alpha[K];

  template <class... A>
  explicit FusedScaleSum(A... a) : alpha{static_cast<Fac>(a)...} {
    static_assert(sizeof...(A) == K);
  }
  template <class Out, class First, class... Rest>
  void operator()(Out& out, const First& first, const Rest&... rest) const {
    static_assert(sizeof...(Rest) + 1 == K);
    auto sum = alpha[0] * first;
    int k = 1;
    ((sum = fma_of(alpha[k++], rest, sum)), ...);
    out = sum;
  }
  typedef void result_type;
};

struct FusedOperations {
  template <class F1 = double, class F2 = F1>
  using scale_sum2 = FusedScaleSum<F1, 2>;
  template <class F1 = double, class F2 = F1, class F3 = F2>
  using scale_sum3 = FusedScaleSum<F1, 3>;
  template <class F1 = double, class F2 = F1, class F3 = F2, class F4 = F3>
  using scale_sum4 = FusedScaleSum<F1, 4>;
  template <class F1 = double, class F2 = F1, class F3 = F2, class F4 = F3, class F5 = F4>
  using scale_sum5 = FusedScaleSum<F1, 5>;
  template <class F1 = double, class F2 = F1, class F3 = F2, class F4 = F3, class F5 = F4, class F6 = F5>
  using scale_sum6 = FusedScaleSum<F1, 6>;
  template <class F1 = double, class F2 = F1, class F3 = F2, class F4 = F3, class F5 = F4, class F6 = F5,
            class F7 = F6>
  using scale_sum7 = FusedScaleSum<F1, 7>;
};

// Boost.Odeint's generic explicit error stepper with Fehlberg's tableau and fused sums.
template <std::size_t N>
class FehlbergStepper
    : public boost::numeric::odeint::explicit_error_generic_rk<6, 5, 5, 4, Vector<N>, double, Vector<N>, double,
                                                               boost::numeric::odeint::array_algebra, FusedOperations> {
  using Base = boost::numeric::odeint::explicit_error_generic_rk<6, 5, 5, 4, Vector<N>, double, Vector<N>, double,
                                                                 boost::numeric::odeint::array_algebra, FusedOperations>;

 public:
  static constexpr unsigned order = Fehlberg::order;

  FehlbergStepper() : Base(stage_coefficients(), weights(Fehlberg::b), weights(Fehlberg::e), weights(Fehlberg::c)) {}

 private:
  using Coefficients = typename Base::coef_a_type;
  using Weights = typename Base::coef_b_type;
  using F = Fehlberg;

  static Coefficients stage_coefficients() {
    const boost::array<double, 1> a2{{F::a2[0]}};
    const boost::array<double, 2> a3{{F::a3[0], F::a3[1]}};
    const boost::array<double, 3> a4{{F::a4[0], F::a4[1], F::a4[2]}};
    const boost::array<double, 4> a5{{F::a5[0], F::a5[1], F::a5[2], F::a5[3]}};
    const boost::array<double, 5> a6{{F::a6[0], F::a6[1], F::a6[2], F::a6[3], F::a6[4]}};
    return Coefficients(a2, a3, a4, a5, a6);
  }
  static Weights weights(const double (&w)[6]) { return {{w[0], w[1], w[2], w[3], w[4], w[5]}}; }
};

// GSL's standard step-size control. The tolerated error of component i is
// D_i = eps_abs + eps_rel·(a_y·|y_i| + a_dydt·|h·y'_i|); with R the largest |err_i|/D_i,
// R > 1.1 asks for a smaller step, h·max(0.2, 0.9·R^(−1/q)), R < 0.5 allows a larger one,
// h·min(5, max(1, 0.9·R^(−1/(q+1)))), anything between keeps h (q = stepper order).
struct StandardStepControl {
  enum class Verdict { decrease, keep, increase };

  double eps_abs = 1e-3;
  double eps_rel = 0.0;
  double a_y = 1.0;
  double a_dydt = 0.0;

  // `grow` false leaves h as it is where it could grow (for a step whose growth cannot matter).
  template <std::size_t N>
  Verdict adjust(unsigned order, const Vector<N>& y, const Vector<N>& y_err, const Vector<N>& dydt, double& h,
                 bool grow = true) const {
    const double ratio = largest_error_ratio(y, y_err, dydt, h);
    if (ratio > 1.1) {
      h *= decrease_factor(ratio, order);
      return Verdict::decrease;
    }
    if (ratio < 0.5) {
      if (grow) h *= increase_factor(ratio, order);
      return Verdict::increase;
    }
    return Verdict::keep;
  }

  // R, starting from DBL_MIN; NaN ratios are skipped, as GSL's max does.
  template <std::size_t N>
  double largest_error_ratio(const Vector<N>& y, const Vector<N>& y_err, const Vector<N>& dydt, double h) const {
    double ratio = DBL_MIN;
    if (eps_rel == 0.0) {
      // D_i is eps_abs for every component: divide once (division by a positive constant
      // preserves the order, so the maximum is the same).
      double largest = 0.0;
      for (std::size_t i = 0; i < N; ++i) {
        const double e = std::fabs(y_err[i]);
        largest = e > largest ? e : largest;
      }
      const double r = largest / eps_abs;
      return r > ratio ? r : ratio;
    }
    for (std::size_t i = 0; i < N; ++i) {
      const double tolerated = eps_rel * (a_y * std::fabs(y[i]) + a_dydt * std::fabs(h * dydt[i])) + eps_abs;
      const double r = std::fabs(y_err[i]) / std::fabs(tolerated);
      ratio = r > ratio ? r : ratio;
    }
    return ratio;
  }

  // Shrink factor for R > 1.1; skips pow where the 0.2 floor certainly applies.
  NESTLING_ALWAYS_INLINE static double decrease_factor(double ratio, unsigned order) {
    constexpr double floor_beyond = 1845.28125 * (1.0 + 1e-9);  // 4.5^5: 0.9·R^(−1/5) < 0.2 above it
    if (order == 5 && ratio > floor_beyond) return 0.2;
    const double r = 0.9 / std::pow(ratio, 1.0 / order);
    return r < 0.2 ? 0.2 : r;
  }

  // Growth factor for R < 0.5; skips pow where the cap of 5 certainly applies.
  NESTLING_ALWAYS_INLINE static double increase_factor(double ratio, unsigned order) {
    constexpr double cap_below = 3.4012224e-05 * (1.0 - 1e-9);  // 0.18^6: 0.9·R^(−1/6) > 5 below it
    if (order == 5 && ratio < cap_below) return 5.0;
    double r = 0.9 / std::pow(ratio, 1.0 / (order + 1.0));
    if (r > 5.0) r = 5.0;
    if (r < 1.0) r = 1.0;
    return r;
  }
};

// One object per thread: it holds the scratch vectors, the per-system data lives with the caller.
// `Stepper` takes one Runge–Kutta step as FehlbergStepper's do_step_impl does (a system may
// bring its own, computing the same method differently).
template <std::size_t N, class Stepper = FehlbergStepper<N>>
class GslStyleRkf45 {
 public:
  // Far beyond what a well-posed system needs (ht_neuron takes at most a few sub-steps per
  // step), and reached in well under a second when a system does grind.
  static constexpr std::size_t default_max_substeps = 100000;

  explicit GslStyleRkf45(StandardStepControl control = {}, std::size_t max_substeps = default_max_substeps)
      : control_(control), max_substeps_(max_substeps) {}

  // For callers whose intervals all have the same length (a neuron's time steps): a step that
  // covered a whole interval reaches the end of the next one too, so the next proposal is cut
  // to the interval whatever the growth; apply() then skips computing the growth (a pow).
  void assume_equal_intervals(bool equal) { equal_intervals_ = equal; }

  // Advances (t, y) towards t_end by one accepted step, like one call of
  // gsl_odeiv_evolve_apply. `h` is the proposed step on entry and the proposal for the next
  // call on exit. `dydt` must hold the derivative at (t, y) on entry (GSL evaluates it at the
  // start of every call; a caller may pass a value it knows to be identical) and holds the
  // derivative at the new (t, y) on exit. Returns the number of rejected attempts.
  // Where GSL would grind on (see above) it returns −1 instead, with y, dydt and h unchanged and
  // t set to t_end, so that the caller's loop over the interval ends: the caller must then look
  // at failed() and report failure(). `system(y, dydt, t)` is the right-hand side.
  template <class System>
  int apply(System& system, Vector<N>& y, Vector<N>& dydt, double& t, double t_end, double& h) {
    const double t0 = t;
    const double span = t_end - t0;
    if (!(span > 0.0) || !(h > 0.0)) throw std::domain_error("GslStyleRkf45::apply needs t < t_end and h > 0");
    if (t0 != continue_from_ || t_end != interval_end_) {  // a new interval
      interval_start_ = t0;
      interval_end_ = t_end;
      substeps_ = 0;
    }
    if (substeps_ >= max_substeps_) return fail(IntegrationFailure::Reason::too_many_substeps, y, t, h);
    double step = h;
    int rejected = 0;
    while (true) {
      bool final_step = false;
      if (step >= span) {
        step = span;
        final_step = true;
        // t0 + (t_end - t0) may round past t_end; the last stage must not.
        while (t0 + step > t_end) step = std::nextafter(step, 0.0);
      }
      stepper_.do_step_impl(std::ref(system), y, dydt, t0, y_new_, step, y_err_);
      system(y_new_, dydt_new_, t0 + step);
      const double t_new = final_step ? t_end : t0 + step;

      const double tried = step;
      if (!all_finite(y_new_)) {
        // GSL's control skips NaN errors and would accept this; a step that overflows was too long.
        step = tried * 0.2;
        if (t_new + step == t_new) return fail(IntegrationFailure::Reason::not_finite, y_new_, t, tried);
        ++rejected;
        continue;
      }
      const bool growth_matters = !(equal_intervals_ && final_step && t0 == interval_start_);
      if (control_.adjust(Stepper::order, y_new_, y_err_, dydt_new_, step, growth_matters) ==
          StandardStepControl::Verdict::decrease) {
        if (t_new + step == t_new) return fail(IntegrationFailure::Reason::step_underflow, y, t, tried);
        if (std::fabs(step) < std::fabs(tried)) {
          ++rejected;
          continue;  // undo: y is untouched, retry from t0 with the smaller step
        }
        step = tried;
      }
      y = y_new_;
      dydt = dydt_new_;
      t = t_new;
      h = step;
      ++substeps_;
      continue_from_ = t;
      return rejected;
    }
  }

  // Whether an apply() failed since construction or clear_failure(), and why (the first failure).
  bool failed() const { return failed_; }
  const IntegrationFailure& failure() const { return failure_; }
  void clear_failure() { failed_ = false; }

 private:
  // Independent comparisons (no chain of additions), so the check vectorises and costs little.
  static bool all_finite(const Vector<N>& v) {
    bool finite = true;
    for (double x : v) finite &= std::fabs(x) <= DBL_MAX;  // false for NaN and ±inf
    return finite;
  }

  // Records the failure, blaming the first non-finite component of `y`, else the one with the
  // largest error ratio of the last attempt (the one that keeps the step small); ends the
  // caller's interval (t = t_end).
  int fail(IntegrationFailure::Reason reason, const Vector<N>& y, double& t, double step) {
    std::size_t blamed = 0;
    double worst = -1.0;
    for (std::size_t i = 0; i < N; ++i) {
      if (!std::isfinite(y[i])) {
        blamed = i;
        break;
      }
      const double tolerated =
          control_.eps_rel * (control_.a_y * std::fabs(y_new_[i]) + control_.a_dydt * std::fabs(step * dydt_new_[i])) +
          control_.eps_abs;
      const double ratio = std::fabs(y_err_[i]) / tolerated;
      if (ratio > worst) {
        worst = ratio;
        blamed = i;
      }
    }
    if (!failed_) failure_ = {reason, t, interval_end_ - interval_start_, step, substeps_, blamed, y[blamed]};
    failed_ = true;
    t = interval_end_;
    continue_from_ = NAN;
    return -1;
  }

  Stepper stepper_;
  StandardStepControl control_;
  std::size_t max_substeps_;
  bool equal_intervals_ = false;
  std::size_t substeps_ = 0;  // accepted in the present interval
  double interval_start_ = 0.0, interval_end_ = NAN, continue_from_ = NAN;
  bool failed_ = false;
  IntegrationFailure failure_;
  Vector<N> y_new_{};
  Vector<N> dydt_new_{};
  Vector<N> y_err_{};
};

}  // namespace nestling::ode
