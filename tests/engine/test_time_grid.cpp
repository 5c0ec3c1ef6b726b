#include <catch2/catch.hpp>

#include "engine/time_grid.hpp"
#include "nestling/errors.hpp"

using namespace nestling;

TEST_CASE("time grid: default resolution is 0.1 ms = 100 tics", "[time]") {
  TimeGrid g;
  CHECK(g.resolution() == 0.1);
  CHECK(g.tics_per_step() == 100);
  CHECK(g.steps_per_ms() == 10.0);
}

TEST_CASE("time grid: ms -> steps rounds to the nearest tic, then up to a step", "[time]") {
  TimeGrid g;
  CHECK(g.ms_to_steps(1.0) == 10);
  CHECK(g.ms_to_steps(1.05) == 11);
  CHECK(g.ms_to_steps(1.0004) == 10);  // 1000.4 tics -> 1000 tics, on the grid
  CHECK(g.ms_to_steps(1.0006) == 11);  // 1000.6 tics -> 1001 tics -> next step
  CHECK(g.ms_to_steps(0.0) == 0);
}

TEST_CASE("time grid: delays round to the nearest step (NEST's topology examples at h = 0.04)", "[time]") {
  TimeGrid g;
  g.set_resolution(0.04);
  CHECK(g.delay_to_steps(0.98) == 25);  // 1.00 ms
  CHECK(g.delay_to_steps(0.94) == 24);  // 0.96 ms
  CHECK(g.delay_to_steps(0.90) == 23);  // 0.92 ms
  CHECK(g.delay_to_steps(1.0) == 25);
}

TEST_CASE("time grid: ms_stamp is the smallest grid point not below the time", "[time]") {
  TimeGrid g;
  CHECK(g.ms_stamp_steps(1.05) == 11);
  CHECK(g.ms_stamp_steps(3.0001) == 31);
  CHECK(g.ms_stamp_steps(1.0) == 10);
}

TEST_CASE("time grid: resolution must be a positive whole number of tics", "[time]") {
  TimeGrid g;
  CHECK_THROWS_AS(g.set_resolution(0.0), UserError);
  CHECK_THROWS_AS(g.set_resolution(-0.1), UserError);
  CHECK_THROWS_AS(g.set_resolution(0.0005), UserError);
  g.set_resolution(0.125);
  CHECK(g.tics_per_step() == 125);
  CHECK(g.steps_to_ms(8) == 1.0);
}
