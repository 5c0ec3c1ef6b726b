// Masks (spec §6.3): which pool positions a driver node may connect to.
//
// A mask is tested on the position of a pool node relative to an anchor image of the driver
// (see pool.hpp). Grid masks are given in cells and become boxes once the pool layer is known,
// as in NEST. Every test keeps NEST 2.20's floating-point operations, so that points exactly on
// a boundary fall on the same side as in NEST (boundaries are inclusive, except the doughnut's
// inner circle).
#pragma once

#include <cstdint>
#include <string>

#include "engine/spatial/geometry.hpp"
#include "nestling/value.hpp"

namespace nestling {
class GridLayer;
}

namespace nestling::spatial {

// The mask as the dictionary gave it.
struct MaskSpec {
  enum class Type : std::uint8_t { rectangular, circular, doughnut, elliptical, grid };
  Type type = Type::circular;
  Vec2 lower_left, upper_right;  // rectangular
  double azimuth_angle = 0.0;    // rectangular, elliptical (degrees)
  Vec2 center;                   // circular, doughnut, elliptical: the mask's own `anchor`
  double radius = 0.0, inner_radius = 0.0, outer_radius = 0.0;
  double major_axis = 0.0, minor_axis = 0.0;
  long grid_rows = 0, grid_columns = 0;    // grid
  long anchor_row = 0, anchor_column = 0;  // grid: the cell placed on the driver
  bool anchored = false;                   // top-level anchor [x, y] (not for grid masks)
  Vec2 anchor;
};

// Parses `mask: {type: {...}, anchor: ...}`; errors name the path below `path`.
MaskSpec parse_mask(const Value& v, const std::string& path);

enum class MaskShape : std::uint8_t { all, box, rotated_box, ball, doughnut, ellipse };

// A mask resolved for one pool layer, ready for inside() tests.
struct Mask {
  MaskShape shape = MaskShape::all;
  // box: corners before rotation; rotated boxes also use the precomputed centre products
  Vec2 lower_left, upper_right, box_center, lower_left_eps, upper_right_eps;
  double cos_az = 1.0, sin_az = 0.0;
  double cx_cos = 0.0, cx_sin = 0.0, cy_cos = 0.0, cy_sin = 0.0;
  // ball, doughnut, ellipse
  Vec2 center;
  double radius = 0.0, inner_radius = 0.0;
  double x_scale = 0.0, y_scale = 0.0;
  // AnchoredMask and ConverseMask wrappers: inside(p) = shape(±p − anchor)
  Vec2 anchor;
  bool converse = false;
  Box2 bbox;  // of the complete mask (anchor and converse applied); infinite for `all`

  bool inside(Vec2 p) const;
};

// Resolves `spec` for connections whose pool is checked against `layer` (NEST's check_mask_):
// grid masks become boxes of its cells; a mask wider than a periodic dimension of the layer is
// an error unless `allow_oversized`. `converse` mirrors the mask (divergent connections).
Mask resolve_mask(const MaskSpec& spec, const GridLayer& layer, bool allow_oversized, bool converse,
                  const std::string& path);

// The mask that accepts everything (no `mask` given).
Mask all_mask();

// --- shape tests on a point already un-anchored (q = ±p − anchor) ---

inline bool inside_box(const Mask& m, Vec2 q) {
  return m.lower_left.x <= q.x && m.lower_left.y <= q.y && q.x <= m.upper_right.x && q.y <= m.upper_right.y;
}

// NEST rotates the point back by the azimuth about the box centre, with a 1e-12 tolerance.
inline bool inside_rotated_box(const Mask& m, Vec2 q) {
  const double x = q.x * m.cos_az - m.cx_cos + q.y * m.sin_az - m.cy_sin + m.box_center.x;
  const double y = -q.x * m.sin_az + m.cx_sin + q.y * m.cos_az - m.cy_cos + m.box_center.y;
  return m.lower_left_eps.x <= x && m.lower_left_eps.y <= y && x <= m.upper_right_eps.x && y <= m.upper_right_eps.y;
}

inline bool inside_circle(Vec2 center, double radius, Vec2 q) {
  return length({q.x - center.x, q.y - center.y}) <= radius;
}

inline bool inside_ellipse(const Mask& m, Vec2 q) {
  const double dx = q.x - m.center.x, dy = q.y - m.center.y;
  const double x = dx * m.cos_az + dy * m.sin_az;
  const double y = dx * m.sin_az - dy * m.cos_az;
  return x * x * m.x_scale + y * y * m.y_scale <= 1;
}

template <MaskShape S>
inline bool inside_shape(const Mask& m, Vec2 q) {
  if constexpr (S == MaskShape::all) return true;
  if constexpr (S == MaskShape::box) return inside_box(m, q);
  if constexpr (S == MaskShape::rotated_box) return inside_rotated_box(m, q);
  if constexpr (S == MaskShape::ball) return inside_circle(m.center, m.radius, q);
  if constexpr (S == MaskShape::doughnut)
    return inside_circle(m.center, m.radius, q) && !inside_circle(m.center, m.inner_radius, q);
  if constexpr (S == MaskShape::ellipse) return inside_ellipse(m, q);
  return false;
}

// The full test of a pool position relative to the driver's anchor image.
template <MaskShape S>
inline bool inside_mask(const Mask& m, Vec2 relative) {
  if (m.converse) relative = {-relative.x, -relative.y};
  return inside_shape<S>(m, {relative.x - m.anchor.x, relative.y - m.anchor.y});
}

// Calls visit.template operator()<S>() with the mask's shape as a compile-time constant, so that
// the connection rules instantiate one tight loop per shape.
template <class Visit>
decltype(auto) with_mask_shape(MaskShape shape, Visit&& visit) {
  switch (shape) {
    case MaskShape::box:
      return visit.template operator()<MaskShape::box>();
    case MaskShape::rotated_box:
      return visit.template operator()<MaskShape::rotated_box>();
    case MaskShape::ball:
      return visit.template operator()<MaskShape::ball>();
    case MaskShape::doughnut:
      return visit.template operator()<MaskShape::doughnut>();
    case MaskShape::ellipse:
      return visit.template operator()<MaskShape::ellipse>();
    case MaskShape::all:
      break;
  }
  return visit.template operator()<MaskShape::all>();
}

}  // namespace nestling::spatial
