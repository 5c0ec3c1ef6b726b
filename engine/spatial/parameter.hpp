// Spatial parameters (spec §6.4): connection probability kernels, weights and delays as
// functions of the displacement between two nodes, or random.
//
// Given as a number (constant) or a one-key dictionary naming the type. NEST 2.20 rejects a
// plain integer; nestling accepts it as the equal double (deNEST users write 1.0 anyway).
// Evaluation keeps NEST's formulas and operation order.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "engine/rng.hpp"
#include "engine/spatial/geometry.hpp"
#include "nestling/value.hpp"

namespace nestling::spatial {

enum class ParameterType : std::uint8_t {
  constant,
  linear,
  exponential,
  gaussian,
  gaussian2D,
  gamma,
  uniform,
  normal,
  lognormal
};

// exp(x), skipping the library's slow underflow path where the result is exactly 0.
inline double exp_or_zero(double x) {
  return x < -746.0 ? 0.0 : std::exp(x);
}

struct SpatialParameter {
  ParameterType type = ParameterType::constant;
  double value = 0.0;                              // constant
  double a = 1.0, c = 0.0, tau = 1.0;              // linear, exponential (and c of gaussians)
  double p_center = 1.0, mean = 0.0, sigma = 1.0;  // gaussian, normal (mean, sigma)
  double mean_x = 0.0, mean_y = 0.0, sigma_x = 1.0, sigma_y = 1.0, rho = 0.0;  // gaussian2D
  double kappa = 1.0, theta = 1.0, inv_theta = 1.0, gamma_norm = 1.0;          // gamma
  double min = 0.0, max = 1.0, range = 1.0, mu = 0.0;                          // uniform, normal, lognormal
  double cutoff = -std::numeric_limits<double>::infinity();
  bool anchored = false;
  Vec2 anchor;

  bool is_random() const { return type >= ParameterType::uniform; }
  bool is_constant() const { return type == ParameterType::constant; }
  // The constant's value after the cutoff rule.
  double constant_value() const { return value < cutoff ? 0.0 : value; }

  // Value at displacement `d`; random types draw from `rng`.
  double operator()(Vec2 d, Rng& rng) const {
    if (anchored) d = {d.x - anchor.x, d.y - anchor.y};
    const double v = is_random() ? draw(rng) : deterministic(d);
    return v < cutoff ? 0.0 : v;
  }

  // A number no value exceeds (+inf if unknown): a uniform draw at or above it rejects a
  // candidate without evaluating the kernel, with the same outcome.
  double upper_bound() const {
    double bound = std::numeric_limits<double>::infinity();
    switch (type) {
      case ParameterType::constant:
        bound = value;
        break;
      case ParameterType::linear:
        if (a <= 0) bound = c;
        break;
      case ParameterType::exponential:
        bound = a >= 0 ? c + a : c;
        break;
      case ParameterType::gaussian:
      case ParameterType::gaussian2D:
        bound = c + (p_center > 0 ? p_center : 0.0);
        break;
      default:
        break;
    }
    return bound < cutoff ? 0.0 : (bound < 0.0 ? 0.0 : bound);
  }

  // The deterministic types, inlined into the connection loops.
  double deterministic(Vec2 d) const {
    switch (type) {
      case ParameterType::constant:
        return value;
      case ParameterType::linear:
        return a * length(d) + c;
      case ParameterType::exponential:
        return c + a * exp_or_zero(-length(d) / tau);
      case ParameterType::gaussian: {
        const double x = length(d) - mean;
        return c + p_center * exp_or_zero(-(x * x) / (2 * (sigma * sigma)));
      }
      case ParameterType::gaussian2D: {
        const double x = d.x - mean_x, y = d.y - mean_y;
        return c + p_center * exp_or_zero(-(x * x / (sigma_x * sigma_x) + y * y / (sigma_y * sigma_y) -
                                            2. * rho * x * y / (sigma_x * sigma_y)) /
                                          (2. * (1. - rho * rho)));
      }
      case ParameterType::gamma: {
        const double r = length(d);
        return std::pow(r, kappa - 1.) * exp_or_zero(-1. * inv_theta * r) * gamma_norm;
      }
      default:
        return 0.0;
    }
  }

 private:
  // The random types: uniform, normal and lognormal (truncated by redrawing).
  double draw(Rng& rng) const;
};

// Parses a parameter given at `path` (e.g. "weights").
SpatialParameter parse_parameter(const Value& v, const std::string& path);
SpatialParameter constant_parameter(double value);

}  // namespace nestling::spatial
