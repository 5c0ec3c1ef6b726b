#include "engine/spatial/pool.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "engine/spatial/connect_spec.hpp"
#include "engine/spatial/dict_reader.hpp"
#include "nestling/errors.hpp"
#include "nestling/spatial.hpp"

namespace nestling::spatial {

std::vector<Unit> select_units(const GridLayer& layer, const PopulationFilter& filter, const std::string& path,
                               bool model_exists) {
  if (filter.model && !model_exists)
    throw UserError(join_path(path, "model"), "unknown node model '" + *filter.model + "'");
  if (filter.lid > static_cast<long>(layer.depth()))
    throw UserError(join_path(path, "lid"), "is " + std::to_string(filter.lid) + " but layer " +
                                                std::to_string(layer.id()) + " has depth " +
                                                std::to_string(layer.depth()));
  std::vector<Unit> units;
  for (std::size_t pop = 0; pop < layer.populations().size(); ++pop) {
    const LayerPopulation& lp = layer.populations()[pop];
    if (filter.model && lp.model != *filter.model) continue;
    for (std::size_t k = lp.first_depth; k < lp.first_depth + lp.units_per_position; ++k) {
      if (filter.lid && static_cast<long>(k) != filter.lid - 1) continue;
      units.push_back({layer.id_at(0, k), static_cast<std::uint32_t>(pop)});
    }
  }
  return units;
}

namespace {
Pool::Axis sorted_axis(const std::vector<double>& coordinate) {
  Pool::Axis axis;
  std::vector<std::uint32_t> order(coordinate.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return coordinate[a] < coordinate[b]; });
  for (auto i : order) {
    axis.coordinate.push_back(coordinate[i]);
    axis.index.push_back(i);
  }
  return axis;
}
}  // namespace

Pool make_pool(const GridLayer& layer, std::vector<Unit> units, const TreeDomain& tree, bool wrap) {
  Pool pool;
  pool.rows = layer.rows();
  pool.columns = layer.columns();
  pool.tree = tree;
  pool.units = std::move(units);
  const Point2 ll = layer.lower_left(), ext = layer.extent();
  for (std::size_t c = 0; c < pool.columns; ++c) {
    double x = grid_x(ll[0], ext[0], pool.columns, c);
    if (wrap && tree.periodic[0]) x = wrap_into(x, tree.lower_left[0], tree.extent[0]);
    pool.x.push_back(x);
  }
  for (std::size_t r = 0; r < pool.rows; ++r) {
    double y = grid_y(ll[1], ext[1], pool.rows, r);
    if (wrap && tree.periodic[1]) y = wrap_into(y, tree.lower_left[1], tree.extent[1]);
    pool.y.push_back(y);
  }
  pool.by_x = sorted_axis(pool.x);
  pool.by_y = sorted_axis(pool.y);
  // Rounding may put a point a few ulps outside a mask's box while the mask test (e.g. the
  // rotated box's 1e-12 tolerance) still accepts it: widen the search, the exact test decides.
  for (int i = 0; i < 2; ++i)
    pool.margin[i] = 1e-9 * (std::fabs(ext[i]) + std::fabs(ll[i]) + std::fabs(tree.extent[i])) + 1e-11;
  return pool;
}

void axis_range(const Pool::Axis& axis, double lo, double hi, std::size_t& begin, std::size_t& end) {
  const auto& c = axis.coordinate;
  begin = static_cast<std::size_t>(std::lower_bound(c.begin(), c.end(), lo) - c.begin());
  end = static_cast<std::size_t>(std::upper_bound(c.begin(), c.end(), hi) - c.begin());
  if (end < begin) end = begin;
}

}  // namespace nestling::spatial
