#include "engine/time_grid.hpp"

#include <string>

#include "nestling/errors.hpp"
#include "nestling/value.hpp"

namespace nestling {

void TimeGrid::set_resolution(double ms, std::int64_t tics_per_ms) {
  if (!(tics_per_ms > 0)) throw UserError("tics_per_ms", "must be positive, got " + std::to_string(tics_per_ms));
  if (!std::isfinite(ms) || !(ms > 0.0))
    throw UserError("resolution", "must be a positive number of ms, got " + format_number(ms));
  const double tics = ms * static_cast<double>(tics_per_ms);
  const auto rounded = static_cast<std::int64_t>(std::floor(tics + 0.5));
  if (rounded < 1 || std::fabs(tics - static_cast<double>(rounded)) > 1e-9 * std::max(1.0, tics))
    throw UserError("resolution", "must be a whole number of tics (1/" + std::to_string(tics_per_ms) +
                                      " ms), got " + format_number(ms));
  tics_per_ms_ = tics_per_ms;
  tics_per_step_ = rounded;
  ms_per_tic_ = 1.0 / static_cast<double>(tics_per_ms_);
  h_ms_ = ms_per_tic_ * static_cast<double>(tics_per_step_);
  steps_per_ms_ = static_cast<double>(tics_per_ms_) / static_cast<double>(tics_per_step_);
}

step_t TimeGrid::ms_to_steps(double ms) const {
  // beyond ~10^15 tics a time is "never" for any simulation (and would overflow the conversion)
  if (std::isinf(ms) || std::fabs(ms) * static_cast<double>(tics_per_ms_) > 1e15)
    return ms > 0 ? step_infinity : -step_infinity;
  const std::int64_t tics = ms_to_tics(ms);
  if (tics >= 0) return (tics + tics_per_step_ - 1) / tics_per_step_;
  return -((-tics) / tics_per_step_);
}

step_t TimeGrid::ms_stamp_steps(double ms) const {
  if (std::isinf(ms) || std::fabs(ms) * static_cast<double>(tics_per_ms_) > 1e15)
    return ms > 0 ? step_infinity : -step_infinity;
  // trunc to tics, round down to a step, add a step if still below ms
  const auto tics = static_cast<std::int64_t>(ms * static_cast<double>(tics_per_ms_));
  step_t steps = tics / tics_per_step_;
  if (tics < 0 && tics % tics_per_step_ != 0) --steps;
  if (steps_to_ms(steps) < ms) ++steps;
  return steps;
}

}  // namespace nestling
