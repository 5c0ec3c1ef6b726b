// Plane geometry with NEST 2.20's exact floating-point operations (spec §6.1, §6.2): grid
// positions, periodic displacement, and the wrapping NEST's position tree applies on insert.
// Each formula keeps NEST's order of operations, so that points on mask boundaries and delays on
// rounding boundaries come out as in NEST.
#pragma once

#include <cmath>
#include <cstddef>

namespace nestling::spatial {

struct Vec2 {
  double x = 0.0;
  double y = 0.0;
};

struct Box2 {
  Vec2 lower_left;
  Vec2 upper_right;
};

// A layer's extent and periodicity: what displacements are computed in.
struct Periodicity {
  double extent[2] = {1.0, 1.0};
  bool periodic[2] = {false, false};
};

// Grid position of a column: (ll_x + (E_x/C)·col) + (E_x/C)·0.5.
inline double grid_x(double lower_left_x, double extent_x, std::size_t columns, std::size_t column) {
  const double step = extent_x / static_cast<double>(columns);
  return lower_left_x + step * static_cast<double>(column) + step * 0.5;
}

// Grid position of a row, row 0 on top: ((ll_y + E_y) + (−E_y/R)·row) + (−E_y/R)·0.5.
inline double grid_y(double lower_left_y, double extent_y, std::size_t rows, std::size_t row) {
  const double top = lower_left_y + extent_y;
  const double step = -extent_y / static_cast<double>(rows);
  return top + step * static_cast<double>(row) + step * 0.5;
}

// fmod is exact, and returns x itself when |x| < |p|: skip the slow library call then.
inline double exact_fmod(double x, double p) {
  return std::fabs(x) < p ? x : std::fmod(x, p);
}

// One component of a periodic displacement, in [−L/2, L/2).
inline double wrap_displacement(double d, double extent) {
  d = -0.5 * extent + exact_fmod(d + 0.5 * extent, extent);
  if (d < -0.5 * extent) d += extent;
  return d;
}

// Layer::compute_displacement(from, to): to − from, wrapped in periodic dimensions.
inline Vec2 displacement(Vec2 from, Vec2 to, const Periodicity& layer) {
  Vec2 d{to.x - from.x, to.y - from.y};
  if (layer.periodic[0]) d.x = wrap_displacement(d.x, layer.extent[0]);
  if (layer.periodic[1]) d.y = wrap_displacement(d.y, layer.extent[1]);
  return d;
}

// Position::length(): sqrt(x² + y²), not hypot.
inline double length(Vec2 v) {
  return std::sqrt(v.x * v.x + v.y * v.y);
}

// Ntree::insert maps a coordinate into [ll, ll + L) of a periodic tree.
inline double wrap_into(double pos, double lower_left, double extent) {
  pos = lower_left + std::fmod(pos - lower_left, extent);
  if (pos < lower_left) pos += extent;
  return pos;
}

// Non-negative remainder, as NEST's masked iterator uses to place anchors.
inline double positive_mod(double x, double p) {
  x = std::fmod(x, p);
  if (x < 0) x += p;
  return x;
}

}  // namespace nestling::spatial
