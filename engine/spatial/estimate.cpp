// Estimates of what a ConnectLayers call will make, before any node exists (connect_spec.hpp).
#include <algorithm>
#include <cmath>

#include "engine/spatial/connect_spec.hpp"

namespace nestling::spatial {

namespace {

constexpr double kPi = 3.14159265358979323846;

// Where the mask lets a driver connect, as displacements: a test and a bounding box.
struct Region {
  double area = 0.0;
  Vec2 lower, upper;
  MaskSpec::Type type = MaskSpec::Type::rectangular;
  const MaskSpec* mask = nullptr;

  bool inside(Vec2 d) const {
    if (!mask) return true;
    const double dx = d.x - mask->center.x, dy = d.y - mask->center.y, r2 = dx * dx + dy * dy;
    switch (type) {
      case MaskSpec::Type::circular:
        return r2 <= mask->radius * mask->radius;
      case MaskSpec::Type::doughnut:
        return r2 <= mask->outer_radius * mask->outer_radius && r2 > mask->inner_radius * mask->inner_radius;
      case MaskSpec::Type::elliptical: {
        const double a = mask->major_axis / 2, b = mask->minor_axis / 2;
        return dx * dx / (a * a) + dy * dy / (b * b) <= 1.0;
      }
      default:
        return true;  // boxes: the bounding box is the region
    }
  }
};

Region region_of(const ConnectSpec& spec, const LayerShape& layer) {
  Region r;
  if (!spec.mask) {
    r.area = layer.extent.x * layer.extent.y;
    r.lower = {-layer.extent.x / 2, -layer.extent.y / 2};
    r.upper = {layer.extent.x / 2, layer.extent.y / 2};
    return r;
  }
  const MaskSpec& m = *spec.mask;
  r.mask = &m;
  r.type = m.type;
  double half_x = 0.0, half_y = 0.0;
  switch (m.type) {
    case MaskSpec::Type::rectangular:
      r.lower = m.lower_left;
      r.upper = m.upper_right;
      r.area = (m.upper_right.x - m.lower_left.x) * (m.upper_right.y - m.lower_left.y);
      return r;
    case MaskSpec::Type::grid: {
      const double cell_x = layer.extent.x / static_cast<double>(layer.columns);
      const double cell_y = layer.extent.y / static_cast<double>(layer.rows);
      half_x = cell_x * static_cast<double>(m.grid_columns) / 2;
      half_y = cell_y * static_cast<double>(m.grid_rows) / 2;
      r.area = 4 * half_x * half_y;
      break;
    }
    case MaskSpec::Type::circular:
      half_x = half_y = m.radius;
      r.area = kPi * m.radius * m.radius;
      break;
    case MaskSpec::Type::doughnut:
      half_x = half_y = m.outer_radius;
      r.area = kPi * (m.outer_radius * m.outer_radius - m.inner_radius * m.inner_radius);
      break;
    case MaskSpec::Type::elliptical:
      half_x = half_y = std::max(m.major_axis, m.minor_axis) / 2;
      r.area = kPi * m.major_axis * m.minor_axis / 4;
      break;
  }
  r.lower = {m.center.x - half_x, m.center.y - half_y};
  r.upper = {m.center.x + half_x, m.center.y + half_y};
  return r;
}

// The kernel's mean over the region, sampled on a 32 × 32 grid (probabilities kept in [0, 1]).
double mean_probability(const ConnectSpec& spec, const Region& r) {
  if (!spec.kernel) return 1.0;
  const SpatialParameter& k = *spec.kernel;
  if (k.is_constant()) return std::clamp(k.constant_value(), 0.0, 1.0);
  Rng rng(0x5EED);
  constexpr int n = 32;
  double sum = 0.0;
  int inside = 0;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      const Vec2 d{r.lower.x + (r.upper.x - r.lower.x) * (i + 0.5) / n,
                   r.lower.y + (r.upper.y - r.lower.y) * (j + 0.5) / n};
      if (!r.inside(d)) continue;
      sum += std::clamp(k(d, rng), 0.0, 1.0);
      ++inside;
    }
  return inside ? sum / inside : 1.0;
}

double nodes(const LayerShape& l, double units) {
  return static_cast<double>(l.rows * l.columns) * units;
}

}  // namespace

double expected_connections(const ConnectSpec& spec, const LayerShape& pre, double pre_units, const LayerShape& post,
                            double post_units) {
  if (spec.number_of_connections)
    return static_cast<double>(*spec.number_of_connections) *
           (spec.convergent ? nodes(post, post_units) : nodes(pre, pre_units));
  const LayerShape& pool = spec.convergent ? pre : post;  // the layer the mask selects in
  const Region r = region_of(spec, pool);
  const double fraction = std::min(1.0, r.area / (pool.extent.x * pool.extent.y));
  return nodes(pre, pre_units) * nodes(post, post_units) * fraction * mean_probability(spec, r);
}

double longest_delay(const ConnectSpec& spec, const LayerShape& post, double fallback) {
  if (!spec.delays) return fallback;
  const SpatialParameter& d = *spec.delays;
  if (d.is_constant()) return d.constant_value();
  if (d.type == ParameterType::linear) return d.c + std::fabs(d.a) * std::hypot(post.extent.x, post.extent.y);
  const double bound = d.upper_bound();
  return std::isfinite(bound) ? bound : fallback;
}

}  // namespace nestling::spatial
