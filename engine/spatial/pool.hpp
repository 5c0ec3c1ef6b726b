// The pool of a projection: the layer whose nodes a driver node searches through its mask, laid
// out as NEST's position tree sees it (spec §6.3, "Periodic matching").
//
// NEST wraps every position inserted into a periodic tree into [ll, ll + L) and tests a pool
// node against the driver's anchor images: the driver moved by whole extents so that the mask's
// bounding box starts inside the layer, plus one copy shifted by −L per periodic dimension where
// the box reaches past the upper edge. Candidates are taken from the grid cells under each
// image's bounding box, never from all pairs.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/spatial/geometry.hpp"
#include "engine/spatial/mask.hpp"
#include "nestling/types.hpp"

namespace nestling {
class GridLayer;
}

namespace nestling::spatial {

struct PopulationFilter;

// One depth of a layer that passed the sources/targets filter.
struct Unit {
  NodeId base = 0;               // id of this depth's node at position 0
  std::uint32_t population = 0;  // index into the layer's populations()
};

// The domain of NEST's position tree: lower-left corner, extent, periodic flags.
struct TreeDomain {
  double lower_left[2] = {0, 0};
  double extent[2] = {1, 1};
  bool periodic[2] = {false, false};
};

struct Pool {
  std::size_t rows = 0, columns = 0;
  std::vector<double> x;  // per column: position as stored in the tree
  std::vector<double> y;  // per row
  struct Axis {
    std::vector<double> coordinate;    // ascending
    std::vector<std::uint32_t> index;  // column or row of each coordinate
  } by_x, by_y;
  TreeDomain tree;
  double margin[2] = {0, 0};  // slack around bounding boxes; the exact mask test decides
  std::vector<Unit> units;
};

// Selected depths of `layer`; throws UserError at `path` for unknown models or lids beyond the depth.
std::vector<Unit> select_units(const GridLayer& layer, const PopulationFilter& filter, const std::string& path,
                               bool model_exists);

// `wrap`: positions go through the tree's periodic wrapping (NEST's masked pools); otherwise
// they are the raw grid positions (NEST's unmasked position vectors).
Pool make_pool(const GridLayer& layer, std::vector<Unit> units, const TreeDomain& tree, bool wrap);

// NEST's anchor images of `driver` for a mask with bounding box `bb`; returns how many (1–4).
inline int anchor_images(const TreeDomain& tree, const Box2& bb, Vec2 driver, Vec2 out[4]) {
  double a[2] = {driver.x, driver.y};
  const double ll[2] = {bb.lower_left.x, bb.lower_left.y};
  const double ur[2] = {bb.upper_right.x, bb.upper_right.y};
  for (int i = 0; i < 2; ++i)
    if (tree.periodic[i])
      a[i] = positive_mod(a[i] + ll[i] - tree.lower_left[i], tree.extent[i]) - ll[i] + tree.lower_left[i];
  out[0] = {a[0], a[1]};
  int n = 1;
  for (int i = 0; i < 2; ++i) {
    if (!tree.periodic[i] || !(a[i] + ur[i] - tree.lower_left[i] > tree.extent[i])) continue;
    const int m = n;
    for (int j = 0; j < m; ++j) {
      Vec2 shifted = out[j];
      (i == 0 ? shifted.x : shifted.y) -= tree.extent[i];
      out[n++] = shifted;
    }
  }
  return n;
}

// Indices [begin, end) of the axis coordinates within [lo, hi].
void axis_range(const Pool::Axis& axis, double lo, double hi, std::size_t& begin, std::size_t& end);

// Calls visit(p, pool_position) for every pool position inside the mask around `driver`, once
// per anchor image that contains it (so at most once unless the mask is oversized).
template <MaskShape S, class Visit>
inline void for_each_candidate(const Pool& pool, const Mask& mask, Vec2 driver, Visit&& visit) {
  if constexpr (S == MaskShape::all) {
    for (std::size_t col = 0; col < pool.columns; ++col)
      for (std::size_t row = 0; row < pool.rows; ++row) visit(col * pool.rows + row, Vec2{pool.x[col], pool.y[row]});
  } else {
    Vec2 anchors[4];
    const int n = anchor_images(pool.tree, mask.bbox, driver, anchors);
    for (int k = 0; k < n; ++k) {
      const Vec2 a = anchors[k];
      std::size_t xb, xe, yb, ye;
      axis_range(pool.by_x, a.x + mask.bbox.lower_left.x - pool.margin[0],
                 a.x + mask.bbox.upper_right.x + pool.margin[0], xb, xe);
      if (xb == xe) continue;
      axis_range(pool.by_y, a.y + mask.bbox.lower_left.y - pool.margin[1],
                 a.y + mask.bbox.upper_right.y + pool.margin[1], yb, ye);
      for (std::size_t xi = xb; xi < xe; ++xi) {
        const std::uint32_t col = pool.by_x.index[xi];
        const double qx = pool.x[col];
        const double rx = qx - a.x;
        for (std::size_t yi = yb; yi < ye; ++yi) {
          const std::uint32_t row = pool.by_y.index[yi];
          const double qy = pool.y[row];
          if (inside_mask<S>(mask, {rx, qy - a.y})) visit(col * pool.rows + row, Vec2{qx, qy});
        }
      }
    }
  }
}

}  // namespace nestling::spatial
