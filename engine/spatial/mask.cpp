#include "engine/spatial/mask.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/spatial/dict_reader.hpp"
#include "engine/suggest.hpp"
#include "nestling/errors.hpp"
#include "nestling/spatial.hpp"

namespace nestling::spatial {

namespace {

constexpr double pi = 3.14159265358979323846;

double required(const Dict& d, const char* key, const std::string& path) {
  const Value* v = d.find(key);
  if (!v) throw UserError(join_path(path, key), "is required");
  return read_double(*v, join_path(path, key));
}

double optional(const Dict& d, const char* key, double fallback, const std::string& path) {
  const Value* v = d.find(key);
  return v ? read_double(*v, join_path(path, key)) : fallback;
}

void reject_3d(const Dict& d, const std::string& path) {
  for (const char* key : {"polar_angle", "polar_axis"})
    if (d.contains(key)) throw UserError(join_path(path, key), "is not defined for 2-D masks");
}

void parse_rectangular(const Dict& d, MaskSpec& m, const std::string& path) {
  reject_3d(d, path);
  reject_unknown(d, {"lower_left", "upper_right", "azimuth_angle"}, path, "rectangular mask");
  for (const char* key : {"lower_left", "upper_right"})
    if (!d.contains(key)) throw UserError(join_path(path, key), "is required");
  m.lower_left = read_point(d.at("lower_left"), join_path(path, "lower_left"));
  m.upper_right = read_point(d.at("upper_right"), join_path(path, "upper_right"));
  if (!(m.lower_left.x < m.upper_right.x && m.lower_left.y < m.upper_right.y))
    throw UserError(join_path(path, "upper_right"), "must lie strictly right of and above lower_left");
  m.azimuth_angle = optional(d, "azimuth_angle", 0.0, path);
}

void parse_circular(const Dict& d, MaskSpec& m, const std::string& path) {
  reject_unknown(d, {"radius", "anchor"}, path, "circular mask");
  m.radius = required(d, "radius", path);
  if (!(m.radius > 0)) throw UserError(join_path(path, "radius"), "must be > 0, got " + format_number(m.radius));
  if (const Value* v = d.find("anchor")) m.center = read_point(*v, join_path(path, "anchor"));
}

void parse_doughnut(const Dict& d, MaskSpec& m, const std::string& path) {
  reject_unknown(d, {"inner_radius", "outer_radius", "anchor"}, path, "doughnut mask");
  m.inner_radius = required(d, "inner_radius", path);
  m.outer_radius = required(d, "outer_radius", path);
  if (!(m.inner_radius < m.outer_radius))
    throw UserError(join_path(path, "inner_radius"), "must be < outer_radius (" + format_number(m.outer_radius) +
                                                         "), got " + format_number(m.inner_radius));
  if (const Value* v = d.find("anchor")) m.center = read_point(*v, join_path(path, "anchor"));
}

void parse_elliptical(const Dict& d, MaskSpec& m, const std::string& path) {
  reject_3d(d, path);
  reject_unknown(d, {"major_axis", "minor_axis", "azimuth_angle", "anchor"}, path, "elliptical mask");
  m.major_axis = required(d, "major_axis", path);
  m.minor_axis = required(d, "minor_axis", path);
  if (!(m.minor_axis > 0))
    throw UserError(join_path(path, "minor_axis"), "must be > 0, got " + format_number(m.minor_axis));
  if (m.major_axis < m.minor_axis)
    throw UserError(join_path(path, "major_axis"),
                    "must be >= minor_axis (" + format_number(m.minor_axis) + "), got " + format_number(m.major_axis));
  m.azimuth_angle = optional(d, "azimuth_angle", 0.0, path);
  if (const Value* v = d.find("anchor")) m.center = read_point(*v, join_path(path, "anchor"));
}

void parse_grid(const Dict& d, MaskSpec& m, const std::string& path) {
  reject_unknown(d, {"rows", "columns"}, path, "grid mask");
  for (const char* key : {"rows", "columns"}) {
    const Value* v = d.find(key);
    if (!v) throw UserError(join_path(path, key), "is required");
    const long n = read_int(*v, join_path(path, key));
    if (n < 1) throw UserError(join_path(path, key), "must be a positive number of cells, got " + std::to_string(n));
    (std::string(key) == "rows" ? m.grid_rows : m.grid_columns) = n;
  }
}

// Rotated box corners, as NEST computes the bounding box of a rotated rectangle.
Box2 rotated_box_bbox(const Mask& m) {
  const Vec2 c = m.box_center;
  const Vec2 llc{(m.lower_left.x - c.x) * m.cos_az, (m.lower_left.y - c.y) * m.cos_az};
  const Vec2 lls{(m.lower_left.x - c.x) * m.sin_az, (m.lower_left.y - c.y) * m.sin_az};
  const Vec2 urc{(m.upper_right.x - c.x) * m.cos_az, (m.upper_right.y - c.y) * m.cos_az};
  const Vec2 urs{(m.upper_right.x - c.x) * m.sin_az, (m.upper_right.y - c.y) * m.sin_az};
  const double xs[4] = {llc.x - lls.y + c.x, urc.x - lls.y + c.x, urc.x - urs.y + c.x, llc.x - urs.y + c.x};
  const double ys[4] = {lls.x + llc.y + c.y, urs.x + llc.y + c.y, urs.x + urc.y + c.y, lls.x + urc.y + c.y};
  return {{*std::min_element(xs, xs + 4), *std::min_element(ys, ys + 4)},
          {*std::max_element(xs, xs + 4), *std::max_element(ys, ys + 4)}};
}

void set_rotation(Mask& m, double azimuth_degrees) {
  m.cos_az = std::cos(azimuth_degrees * pi / 180.);
  m.sin_az = std::sin(azimuth_degrees * pi / 180.);
}

}  // namespace

MaskSpec parse_mask(const Value& v, const std::string& path) {
  const Dict& d = read_dict(v, path);
  MaskSpec m;
  bool have_type = false;
  const Value* anchor = nullptr;
  for (const auto& [key, value] : d) {
    const std::string sub = join_path(path, key);
    if (key == "anchor") {
      anchor = &value;
      continue;
    }
    if (key == "box" || key == "spherical" || key == "ellipsoidal" || key == "volume")
      throw UserError(sub, "3-D masks are not supported (grid layers are 2-D)");
    static const char* const types[] = {"rectangular", "circular", "doughnut", "elliptical", "grid"};
    if (std::find(std::begin(types), std::end(types), key) == std::end(types))
      throw UserError(sub,
                      "unknown mask type" +
                          did_you_mean(key, {"rectangular", "circular", "doughnut", "elliptical", "grid", "anchor"}) +
                          "; valid: circular, doughnut, elliptical, grid, rectangular (and anchor)");
    if (have_type) throw UserError(sub, "a mask has exactly one type; this one already has another");
    have_type = true;
    const Dict& params = read_dict(value, sub);
    if (key == "rectangular") {
      m.type = MaskSpec::Type::rectangular;
      parse_rectangular(params, m, sub);
    } else if (key == "circular") {
      m.type = MaskSpec::Type::circular;
      parse_circular(params, m, sub);
    } else if (key == "doughnut") {
      m.type = MaskSpec::Type::doughnut;
      parse_doughnut(params, m, sub);
    } else if (key == "elliptical") {
      m.type = MaskSpec::Type::elliptical;
      parse_elliptical(params, m, sub);
    } else {
      m.type = MaskSpec::Type::grid;
      parse_grid(params, m, sub);
    }
  }
  if (!have_type) throw UserError(path, "needs a mask type: circular, doughnut, elliptical, grid or rectangular");
  if (anchor) {
    const std::string sub = join_path(path, "anchor");
    if (m.type == MaskSpec::Type::grid) {
      if (!anchor->is_dict())
        throw UserError(sub, "a grid mask's anchor is a cell {row: r, column: c}, got " + anchor->repr());
      const Dict& a = anchor->as_dict();
      reject_unknown(a, {"row", "column"}, sub, "grid mask anchor");
      if (const Value* r = a.find("row")) m.anchor_row = read_int(*r, join_path(sub, "row"));
      if (const Value* c = a.find("column")) m.anchor_column = read_int(*c, join_path(sub, "column"));
    } else {
      if (anchor->is_dict()) throw UserError(sub, "a {row, column} anchor is only for grid masks; use [x, y]");
      m.anchored = true;
      m.anchor = read_point(*anchor, sub);
    }
  }
  return m;
}

Mask all_mask() {
  Mask m;
  const double inf = std::numeric_limits<double>::infinity();
  m.bbox = {{-inf, -inf}, {inf, inf}};
  return m;
}

Mask resolve_mask(const MaskSpec& spec, const GridLayer& layer, bool allow_oversized, bool converse,
                  const std::string& path) {
  Mask m;
  Box2 bb;
  const bool periodic = layer.edge_wrap();
  switch (spec.type) {
    case MaskSpec::Type::grid: {
      const long cols = static_cast<long>(layer.columns()), rows = static_cast<long>(layer.rows());
      if (!allow_oversized && periodic && (spec.grid_columns > cols || spec.grid_rows > rows))
        throw UserError(path, "grid mask of " + std::to_string(spec.grid_rows) + " x " +
                                  std::to_string(spec.grid_columns) + " cells exceeds the periodic " +
                                  std::to_string(rows) + " x " + std::to_string(cols) +
                                  " layer; set allow_oversized_mask: true to allow it");
      // Cells (−c … C−c, −r … R−r) in the layer's cell size, y flipped (row 0 on top).
      const double dx = layer.extent()[0] / static_cast<double>(cols);
      const double dy = layer.extent()[1] / static_cast<double>(rows);
      const double llx = dx * static_cast<double>(-spec.anchor_column) - dx * 0.5;
      const double urx = dx * static_cast<double>(spec.grid_columns - spec.anchor_column) - dx * 0.5;
      const double lly = dy * static_cast<double>(-spec.anchor_row) - dy * 0.5;
      const double ury = dy * static_cast<double>(spec.grid_rows - spec.anchor_row) - dy * 0.5;
      m.shape = MaskShape::box;
      m.lower_left = {llx, -ury};
      m.upper_right = {urx, -lly};
      bb = {m.lower_left, m.upper_right};
      break;
    }
    case MaskSpec::Type::rectangular:
      m.lower_left = spec.lower_left;
      m.upper_right = spec.upper_right;
      if (spec.azimuth_angle == 0.0) {
        m.shape = MaskShape::box;
        bb = {m.lower_left, m.upper_right};
      } else {
        m.shape = MaskShape::rotated_box;
        set_rotation(m, spec.azimuth_angle);
        m.box_center = {(m.upper_right.x + m.lower_left.x) * 0.5, (m.upper_right.y + m.lower_left.y) * 0.5};
        m.cx_cos = m.box_center.x * m.cos_az;
        m.cx_sin = m.box_center.x * m.sin_az;
        m.cy_cos = m.box_center.y * m.cos_az;
        m.cy_sin = m.box_center.y * m.sin_az;
        m.lower_left_eps = {m.lower_left.x - 1e-12, m.lower_left.y - 1e-12};
        m.upper_right_eps = {m.upper_right.x + 1e-12, m.upper_right.y + 1e-12};
        bb = rotated_box_bbox(m);
      }
      break;
    case MaskSpec::Type::circular:
      m.shape = MaskShape::ball;
      m.center = spec.center;
      m.radius = spec.radius;
      bb = {{m.center.x - m.radius, m.center.y - m.radius}, {m.center.x + m.radius, m.center.y + m.radius}};
      break;
    case MaskSpec::Type::doughnut:
      m.shape = MaskShape::doughnut;
      m.center = spec.center;
      m.radius = spec.outer_radius;
      m.inner_radius = spec.inner_radius;
      bb = {{m.center.x - m.radius, m.center.y - m.radius}, {m.center.x + m.radius, m.center.y + m.radius}};
      break;
    case MaskSpec::Type::elliptical: {
      m.shape = MaskShape::ellipse;
      m.center = spec.center;
      set_rotation(m, spec.azimuth_angle);
      m.x_scale = 4.0 / (spec.major_axis * spec.major_axis);
      m.y_scale = 4.0 / (spec.minor_axis * spec.minor_axis);
      // NEST bounds a rotated ellipse by the square of its major axis.
      const bool rotated = spec.azimuth_angle != 0.0;
      const double rx = spec.major_axis / 2.0, ry = rotated ? spec.major_axis / 2.0 : spec.minor_axis / 2.0;
      bb = {{m.center.x - rx, m.center.y - ry}, {m.center.x + rx, m.center.y + ry}};
      break;
    }
  }
  if (spec.anchored) {
    m.anchor = spec.anchor;
    bb = {{bb.lower_left.x + m.anchor.x, bb.lower_left.y + m.anchor.y},
          {bb.upper_right.x + m.anchor.x, bb.upper_right.y + m.anchor.y}};
  }
  if (spec.type != MaskSpec::Type::grid && !allow_oversized && periodic) {
    const char* axis[2] = {"x", "y"};
    const double width[2] = {bb.upper_right.x - bb.lower_left.x, bb.upper_right.y - bb.lower_left.y};
    for (int i = 0; i < 2; ++i)
      if (width[i] > layer.extent()[i])
        throw UserError(path, std::string("is wider than the periodic layer in ") + axis[i] + " (" +
                                  format_number(width[i]) + " > extent " + format_number(layer.extent()[i]) +
                                  "); set allow_oversized_mask: true to allow it");
  }
  if (converse) {
    m.converse = true;
    bb = {{-bb.upper_right.x, -bb.upper_right.y}, {-bb.lower_left.x, -bb.lower_left.y}};
  }
  m.bbox = bb;
  return m;
}

bool Mask::inside(Vec2 p) const {
  switch (shape) {
    case MaskShape::all:
      return true;
    case MaskShape::box:
      return inside_mask<MaskShape::box>(*this, p);
    case MaskShape::rotated_box:
      return inside_mask<MaskShape::rotated_box>(*this, p);
    case MaskShape::ball:
      return inside_mask<MaskShape::ball>(*this, p);
    case MaskShape::doughnut:
      return inside_mask<MaskShape::doughnut>(*this, p);
    case MaskShape::ellipse:
      return inside_mask<MaskShape::ellipse>(*this, p);
  }
  return false;
}

}  // namespace nestling::spatial
