// The simulation time grid: NEST 2.20's tics, steps and rounding rules (spec §0).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

namespace nestling {

using step_t = std::int64_t;
constexpr step_t step_infinity = std::numeric_limits<step_t>::max() / 4;

class TimeGrid {
 public:
  TimeGrid() { set_resolution(0.1); }

  // Sets the step length; throws UserError unless it is a positive whole number of tics.
  void set_resolution(double ms, std::int64_t tics_per_ms = 1000);

  double resolution() const { return h_ms_; }
  std::int64_t tics_per_ms() const { return tics_per_ms_; }
  std::int64_t tics_per_step() const { return tics_per_step_; }
  double steps_per_ms() const { return steps_per_ms_; }

  // Nearest tic: floor(ms·tics_per_ms + 0.5).
  std::int64_t ms_to_tics(double ms) const {
    const double tics = std::floor(ms * static_cast<double>(tics_per_ms_) + 0.5);
    if (!(std::fabs(tics) < 4e18)) return tics > 0 ? std::int64_t{1} << 62 : -(std::int64_t{1} << 62);
    return static_cast<std::int64_t>(tics);
  }
  // Times beyond 10^15 tics count as never (infinite) and are accepted like infinity.
  bool is_on_grid(double ms) const {
    return std::fabs(ms) * static_cast<double>(tics_per_ms_) > 1e15 || ms_to_tics(ms) % tics_per_step_ == 0;
  }
  // Time::ms(t).get_steps(): nearest tic, then rounded up to a whole step. +inf stays infinite.
  step_t ms_to_steps(double ms) const;
  // Delays: floor(ms·steps_per_ms + 0.5), NEST's Time::delay_ms_to_steps.
  step_t delay_to_steps(double ms) const {
    return static_cast<step_t>(std::floor(ms * steps_per_ms_ + 0.5));
  }
  // ms_stamp: the smallest grid point ≥ ms, in steps.
  step_t ms_stamp_steps(double ms) const;
  // A step expressed in ms the way NEST computes it (tics times ms-per-tic).
  double steps_to_ms(step_t steps) const {
    return ms_per_tic_ * static_cast<double>(steps * tics_per_step_);
  }

 private:
  std::int64_t tics_per_ms_ = 1000;
  std::int64_t tics_per_step_ = 100;
  double h_ms_ = 0.1;
  double steps_per_ms_ = 10.0;
  double ms_per_tic_ = 0.001;
};

}  // namespace nestling
