// Masks against brute-force enumeration of all pairs (spec §6.3).
//
// The layers are 8 x 8 with extent 8, so positions, displacements and most mask boundaries are
// exact binary numbers and points lie exactly on boundaries. The brute force tests every pair and,
// on periodic layers, every periodic image of its displacement with its own formula for the mask;
// for rotated shapes it leaves out pairs within 1e-9 of the boundary.
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <set>

#include "tests/engine/test_spatial_support.hpp"

using namespace nestling;
using namespace nestling::spatial_test;

namespace {

// 1: inside, 0: outside, -1: too close to the boundary to decide independently.
using Inside = std::function<int(double, double)>;

int classify(double f, double limit) {
  if (std::fabs(f - limit) < 1e-9) return -1;
  return f <= limit ? 1 : 0;
}

Inside circle_at(double cx, double cy, double r) {
  return [=](double x, double y) { return (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r ? 1 : 0; };
}

Inside doughnut_at(double cx, double cy, double inner, double outer) {
  return [=](double x, double y) {
    const double d2 = (x - cx) * (x - cx) + (y - cy) * (y - cy);
    return d2 <= outer * outer && d2 > inner * inner ? 1 : 0;
  };
}

Inside box(double llx, double lly, double urx, double ury) {
  return [=](double x, double y) { return llx <= x && x <= urx && lly <= y && y <= ury ? 1 : 0; };
}

// A rectangle rotated by `deg` about its centre.
Inside rotated_box(double llx, double lly, double urx, double ury, double deg) {
  return [=](double x, double y) {
    const double a = deg * M_PI / 180, cx = (llx + urx) / 2, cy = (lly + ury) / 2;
    const double u = (x - cx) * std::cos(a) + (y - cy) * std::sin(a);
    const double v = -(x - cx) * std::sin(a) + (y - cy) * std::cos(a);
    const int in_u = classify(std::fabs(u), (urx - llx) / 2), in_v = classify(std::fabs(v), (ury - lly) / 2);
    if (in_u == 0 || in_v == 0) return 0;
    return in_u < 0 || in_v < 0 ? -1 : 1;
  };
}

Inside ellipse(double cx, double cy, double major, double minor, double deg) {
  return [=](double x, double y) {
    const double a = deg * M_PI / 180;
    const double u = (x - cx) * std::cos(a) + (y - cy) * std::sin(a);
    const double v = -(x - cx) * std::sin(a) + (y - cy) * std::cos(a);
    const double f = 4 * u * u / (major * major) + 4 * v * v / (minor * minor);
    return deg == 0.0 ? (f <= 1.0 ? 1 : 0) : classify(f, 1.0);  // unrotated: exact arithmetic
  };
}

Inside anchored(Inside inner, double ax, double ay) {
  return [=](double x, double y) { return inner(x - ax, y - ay); };
}

using Pairs = std::map<std::pair<NodeId, NodeId>, int>;

// Connects pre → post with `mask` and compares with the brute force of `inside`.
void check_against_brute_force(const Dict& mask, const Inside& inside, bool convergent, bool wrap) {
  Simulator sim;
  setup(sim, 2);
  const GridLayer pre = create_grid_layer(sim, grid(8, 8, 8.0, 8.0, wrap, List{"A", 2}));
  const GridLayer post = create_grid_layer(sim, grid(8, 8, 8.0, 8.0, wrap, "B"));
  connect_layers(sim, pre, post, {{"connection_type", convergent ? "convergent" : "divergent"}, {"mask", mask}});
  Pairs got = pair_counts(sim);

  Pairs want;
  std::set<std::pair<NodeId, NodeId>> undecided;
  const std::vector<int> images = wrap ? std::vector<int>{-1, 0, 1} : std::vector<int>{0};
  for (NodeId s : pre.ids())
    for (NodeId t : post.ids()) {
      const Point2 sp = pre.position_of(s), tp = post.position_of(t);
      // Convergent: the mask is centred on the target; divergent: on the source.
      const double rx = convergent ? sp[0] - tp[0] : tp[0] - sp[0];
      const double ry = convergent ? sp[1] - tp[1] : tp[1] - sp[1];
      int count = 0;
      bool unsure = false;
      for (int mx : images)
        for (int my : images) {
          const int r = inside(rx + 8.0 * mx, ry + 8.0 * my);
          if (r < 0) unsure = true;
          count += r > 0;
        }
      if (unsure)
        undecided.insert({s, t});
      else if (count)
        want[{s, t}] = count;
    }
  for (const auto& p : undecided) got.erase(p);
  INFO("mask " << Value(mask).repr() << (convergent ? " convergent" : " divergent") << (wrap ? " wrapped" : ""));
  CHECK(!want.empty());
  CHECK(undecided.size() < want.size());
  for (const auto& [p, n] : want) CHECK(n == 1);  // no mask here is wider than the layer
  CHECK(got == want);
}

void check_all_ways(const Dict& mask, const Inside& inside) {
  for (bool convergent : {true, false})
    for (bool wrap : {false, true}) check_against_brute_force(mask, inside, convergent, wrap);
}

Dict with_anchor(Dict mask, double x, double y) {
  mask.set("anchor", std::vector<double>{x, y});
  return mask;
}

}  // namespace

TEST_CASE("circular masks: boundary included, inner and top-level anchors", "[spatial][mask]") {
  check_all_ways(circle(2.0), circle_at(0, 0, 2.0));
  check_all_ways(with_anchor(circle(2.5), 1.0, -0.5), anchored(circle_at(0, 0, 2.5), 1.0, -0.5));
  check_all_ways(Dict{{"circular", Dict{{"radius", 1.5}, {"anchor", std::vector<double>{0.5, 0.5}}}}},
                 circle_at(0.5, 0.5, 1.5));
  // An anchor that pushes the mask across the periodic edge.
  check_all_ways(with_anchor(circle(2.0), 3.0, 3.0), anchored(circle_at(0, 0, 2.0), 3.0, 3.0));
}

TEST_CASE("doughnut masks: outer circle included, inner circle excluded", "[spatial][mask]") {
  const Dict d{{"doughnut", Dict{{"inner_radius", 1.0}, {"outer_radius", 2.0}}}};
  check_all_ways(d, doughnut_at(0, 0, 1.0, 2.0));
  check_all_ways(with_anchor(d, -1.0, 0.0), anchored(doughnut_at(0, 0, 1.0, 2.0), -1.0, 0.0));
  const Dict centred{
      {"doughnut", Dict{{"inner_radius", 0.5}, {"outer_radius", 2.5}, {"anchor", std::vector<double>{1.0, 1.0}}}}};
  check_all_ways(centred, doughnut_at(1.0, 1.0, 0.5, 2.5));
}

TEST_CASE("rectangular masks: inclusive edges, anchors and rotation", "[spatial][mask]") {
  const Dict rect{{"rectangular", Dict{{"lower_left", std::vector<double>{-2.0, -1.0}},
                                       {"upper_right", std::vector<double>{1.0, 3.0}}}}};
  check_all_ways(rect, box(-2, -1, 1, 3));
  check_all_ways(with_anchor(rect, 0.5, -2.0), anchored(box(-2, -1, 1, 3), 0.5, -2.0));
  const Dict rotated{{"rectangular", Dict{{"lower_left", std::vector<double>{-2.0, -1.0}},
                                          {"upper_right", std::vector<double>{2.0, 1.0}},
                                          {"azimuth_angle", 30.0}}}};
  check_all_ways(rotated, rotated_box(-2, -1, 2, 1, 30.0));
  const Dict off_centre{{"rectangular", Dict{{"lower_left", std::vector<double>{0.0, -1.0}},
                                             {"upper_right", std::vector<double>{3.0, 0.5}},
                                             {"azimuth_angle", -60.0}}}};
  check_all_ways(with_anchor(off_centre, -1.0, 0.5), anchored(rotated_box(0, -1, 3, 0.5, -60.0), -1.0, 0.5));
}

TEST_CASE("a rectangle rotated by 90 degrees keeps its edge points (NEST's 1e-12 tolerance)", "[spatial][mask]") {
  Simulator sim;
  setup(sim);
  const GridLayer l = create_grid_layer(sim, grid(8, 8, 8.0, 8.0, false));
  const Dict rotated{{"rectangular", Dict{{"lower_left", std::vector<double>{-3.0, -1.0}},
                                          {"upper_right", std::vector<double>{3.0, 1.0}},
                                          {"azimuth_angle", 90.0}}}};
  connect_layers(sim, l, l, {{"connection_type", "convergent"}, {"mask", rotated}});
  // The rotated box is [-1, 1] x [-3, 3]: a central target sees 3 x 7 sources.
  const NodeId centre = l.ids_at(3, 3)[0];
  std::size_t n = 0;
  for (const auto& c : connections(sim)) n += c.target == centre;
  CHECK(n == 21);
}

TEST_CASE("elliptical masks: axes, rotation and anchors", "[spatial][mask]") {
  const Dict e{{"elliptical", Dict{{"major_axis", 4.0}, {"minor_axis", 2.0}}}};
  check_all_ways(e, ellipse(0, 0, 4.0, 2.0, 0.0));
  const Dict tilted{{"elliptical", Dict{{"major_axis", 6.0}, {"minor_axis", 2.0}, {"azimuth_angle", 45.0}}}};
  check_all_ways(tilted, ellipse(0, 0, 6.0, 2.0, 45.0));
  const Dict centred{{"elliptical", Dict{{"major_axis", 5.0},
                                         {"minor_axis", 3.0},
                                         {"azimuth_angle", 30.0},
                                         {"anchor", std::vector<double>{0.5, -1.0}}}}};
  check_all_ways(with_anchor(centred, 1.0, 0.0), anchored(ellipse(0.5, -1.0, 5.0, 3.0, 30.0), 1.0, 0.0));
}

TEST_CASE("grid masks select blocks of cells with the anchor cell on the driver", "[spatial][mask]") {
  struct GridCase {
    long rows, columns, anchor_row, anchor_column;
  };
  for (const GridCase g : {GridCase{3, 2, 1, 0}, GridCase{2, 4, 0, 0}, GridCase{1, 1, 0, 0}, GridCase{4, 3, 3, 2}})
    for (bool convergent : {true, false})
      for (bool wrap : {false, true}) {
        Simulator sim;
        setup(sim, 2);
        const GridLayer pre = create_grid_layer(sim, grid(6, 7, 7.0, 6.0, wrap, "A"));
        const GridLayer post = create_grid_layer(sim, grid(6, 7, 7.0, 6.0, wrap, "B"));
        const Dict mask{{"grid", Dict{{"rows", g.rows}, {"columns", g.columns}}},
                        {"anchor", Dict{{"row", g.anchor_row}, {"column", g.anchor_column}}}};
        connect_layers(sim, pre, post, {{"connection_type", convergent ? "convergent" : "divergent"}, {"mask", mask}});
        // The block's cell (anchor_row, anchor_column) lies on the driver; it spans down and right.
        Pairs want;
        for (long dc = 0; dc < 7; ++dc)
          for (long dr = 0; dr < 6; ++dr)
            for (long i = 0; i < g.columns; ++i)
              for (long j = 0; j < g.rows; ++j) {
                long c = dc - g.anchor_column + i, r = dr - g.anchor_row + j;
                if (wrap) {
                  c = (c + 7) % 7;
                  r = (r + 6) % 6;
                } else if (c < 0 || c >= 7 || r < 0 || r >= 6) {
                  continue;
                }
                const NodeId driver = (convergent ? post : pre).ids_at(dr, dc)[0];
                const NodeId pool = (convergent ? pre : post).ids_at(r, c)[0];
                ++want[convergent ? std::make_pair(pool, driver) : std::make_pair(driver, pool)];
              }
        INFO("grid " << g.rows << "x" << g.columns << (convergent ? " convergent" : " divergent") << wrap);
        CHECK(pair_counts(sim) == want);
      }
}

TEST_CASE("NEST 2.20 test_reg_mask_circ_anchor_01: 5x5 layers, circle r 0.25 anchored at (-0.25, 0)",
          "[spatial][mask]") {
  Simulator sim;
  setup(sim);
  const GridLayer src = create_grid_layer(sim, grid(5, 5, 1.25, 1.25, false));
  const GridLayer tgt = create_grid_layer(sim, grid(5, 5, 1.25, 1.25, false));
  REQUIRE(src.first_id() == 2);
  REQUIRE(tgt.first_id() == 28);
  connect_layers(sim, src, tgt, {{"connection_type", "divergent"}, {"mask", with_anchor(circle(0.25), -0.25, 0.0)}});
  const Pairs got = pair_counts(sim);
  std::size_t total = 0;
  std::map<NodeId, std::set<NodeId>> targets;
  for (const auto& [p, n] : got) {
    total += static_cast<std::size_t>(n);
    targets[p.first].insert(p.second);
  }
  CHECK(total == 92);
  CHECK(targets[2] == std::set<NodeId>{28});
  CHECK(targets[7] == std::set<NodeId>{28, 29, 33});
  CHECK(targets[17] == std::set<NodeId>{33, 38, 39, 43});
  CHECK(targets[19] == std::set<NodeId>{35, 39, 40, 41, 45});
  CHECK(targets[26] == std::set<NodeId>{42, 46, 47, 52});
  CHECK(tgt.displacement(src.position_of(12), 28) == Point2{-0.5, 0.0});
}

TEST_CASE("oversized masks on periodic layers need allow_oversized_mask", "[spatial][mask][errors]") {
  Simulator sim;
  setup(sim);
  const GridLayer wrap = create_grid_layer(sim, grid(8, 8, 8.0, 8.0, true));
  const GridLayer flat = create_grid_layer(sim, grid(8, 8, 8.0, 8.0, false));
  try {
    connect_layers(sim, wrap, wrap, {{"connection_type", "convergent"}, {"mask", circle(4.5)}});
    FAIL("no error");
  } catch (const UserError& e) {
    CHECK(e.path() == "mask");
    CHECK_THAT(e.message(), Catch::Matchers::Contains("allow_oversized_mask"));
  }
  // Exactly as wide as the layer is allowed; so is any size on a non-periodic layer.
  CHECK_NOTHROW(connect_layers(sim, wrap, wrap, {{"connection_type", "convergent"}, {"mask", circle(4.0)}}));
  CHECK_NOTHROW(connect_layers(sim, flat, flat, {{"connection_type", "divergent"}, {"mask", circle(20.0)}}));
  CHECK_NOTHROW(connect_layers(
      sim, wrap, wrap, {{"connection_type", "divergent"}, {"mask", circle(4.5)}, {"allow_oversized_mask", true}}));
  // Grid masks compare cells with the layer's rows and columns.
  const Dict big_grid{{"grid", Dict{{"rows", 9}, {"columns", 2}}}};
  CHECK_THROWS_AS(connect_layers(sim, wrap, wrap, {{"connection_type", "convergent"}, {"mask", big_grid}}), UserError);
  CHECK_NOTHROW(connect_layers(sim, flat, flat, {{"connection_type", "convergent"}, {"mask", big_grid}}));
}

TEST_CASE("mask dictionaries are checked with the path of the offending key", "[spatial][mask][errors]") {
  Simulator sim;
  setup(sim);
  const GridLayer l = create_grid_layer(sim, grid(4, 4, 1.0, 1.0, false));
  auto expect = [&](const Dict& mask, const std::string& path, const std::string& text) {
    try {
      connect_layers(sim, l, l, {{"connection_type", "convergent"}, {"mask", mask}});
      FAIL("no error for " << Value(mask).repr());
    } catch (const UserError& e) {
      CHECK(e.path() == path);
      CHECK_THAT(e.message(), Catch::Matchers::Contains(text));
    }
  };
  expect(circle(-1.0), "mask/circular/radius", "must be > 0, got -1");
  expect(Dict{{"circular", Dict{{"radius", 1.0}, {"radios", 1.0}}}}, "mask/circular/radios", "unknown");
  expect(Dict{{"rectangular",
               Dict{{"lower_left", std::vector<double>{0.0, 0.0}}, {"upper_right", std::vector<double>{1.0, 0.0}}}}},
         "mask/rectangular/upper_right", "strictly");
  expect(Dict{{"doughnut", Dict{{"inner_radius", 2.0}, {"outer_radius", 1.0}}}}, "mask/doughnut/inner_radius",
         "must be < outer_radius");
  expect(Dict{{"elliptical", Dict{{"major_axis", 1.0}, {"minor_axis", 2.0}}}}, "mask/elliptical/major_axis",
         ">= minor_axis");
  expect(Dict{{"grid", Dict{{"rows", 0}, {"columns", 2}}}}, "mask/grid/rows", "positive");
  expect(Dict{{"hexagonal", Dict{}}}, "mask/hexagonal", "unknown mask type");
  expect(Dict{{"box", Dict{}}}, "mask/box", "3-D");
  expect(Dict{{"anchor", std::vector<double>{0.0, 0.0}}}, "mask", "needs a mask type");
  expect(Dict{{"circular", Dict{{"radius", 1.0}}}, {"grid", Dict{{"rows", 1}, {"columns", 1}}}}, "mask/grid",
         "exactly one type");
  expect(Dict{{"grid", Dict{{"rows", 1}, {"columns", 1}}}, {"anchor", std::vector<double>{0.0, 0.0}}}, "mask/anchor",
         "{row: r, column: c}");
  expect(Dict{{"circular", Dict{{"radius", 1.0}}}, {"anchor", Dict{{"row", 1}}}}, "mask/anchor", "only for grid");
  expect(Dict{{"circular", Dict{{"radius", 1.0}}}, {"anchor", std::vector<double>{1.0}}}, "mask/anchor", "two numbers");
}
