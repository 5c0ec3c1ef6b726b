// Where GSL's evolve loop would grind on, the GSL-style RKF45 stops and says why: too many
// sub-steps in one interval, a step too small to advance time, or a state that is no longer
// finite. A model turns that into an IntegrationError naming node, time and state variable.
#include <catch2/catch.hpp>
#include <cmath>

#include "engine/ode/gsl_style_rkf45.hpp"
#include "nestling/errors.hpp"
#include "nestling/simulator.hpp"

using namespace nestling;
using Reason = ode::IntegrationFailure::Reason;

TEST_CASE("RKF45: an interval that needs too many sub-steps fails, blaming the stiff component", "[ode]") {
  // y0' = -1e6·y0 is stiff (steps of ~1e-6 for the tolerance), y1' = 0 is not.
  auto stiff = [](const ode::Vector<2>& y, ode::Vector<2>& f, double) {
    f[0] = -1e6 * y[0];
    f[1] = 0.0;
  };
  ode::GslStyleRkf45<2> integrator({}, 50);
  ode::Vector<2> y{1.0, 5.0}, dydt{-1e6, 0.0};
  double t = 0.0, h = 0.1;
  int calls = 0;
  while (t < 1.0) {
    if (integrator.apply(stiff, y, dydt, t, 1.0, h) < 0) break;
    ++calls;
  }
  CHECK(calls == 50);
  REQUIRE(integrator.failed());
  const ode::IntegrationFailure& f = integrator.failure();
  CHECK(f.reason == Reason::too_many_substeps);
  CHECK(f.substeps == 50);
  CHECK(f.component == 0);
  CHECK(f.interval == 1.0);
  CHECK(f.t > 0.0);
  CHECK(f.t < 1.0);
  CHECK(t == 1.0);  // the caller's loop over the interval ends
}

TEST_CASE("RKF45: sub-steps are counted per interval, so many intervals never fail", "[ode]") {
  auto decay = [](const ode::Vector<1>& y, ode::Vector<1>& f, double) { f[0] = -y[0]; };
  ode::GslStyleRkf45<1> integrator({}, 3);
  ode::Vector<1> y{1.0}, dydt{-1.0};
  double h = 0.1;
  for (int k = 0; k < 100; ++k) {  // a fresh interval [0, 0.1) each time, as ht_neuron integrates
    double t = 0.0;
    while (t < 0.1) REQUIRE(integrator.apply(decay, y, dydt, t, 0.1, h) >= 0);
  }
  CHECK_FALSE(integrator.failed());
  CHECK(y[0] == Approx(std::exp(-10.0)).epsilon(1e-6));
}

TEST_CASE("RKF45: a step that must shrink but can no longer advance time fails", "[ode]") {
  // At t = 1e16 an ulp is 2: no step below 1 moves t, yet y' = -1e3·y needs much smaller ones.
  auto fast = [](const ode::Vector<1>& y, ode::Vector<1>& f, double) { f[0] = -1e3 * y[0]; };
  ode::GslStyleRkf45<1> integrator;
  ode::Vector<1> y{1000.0}, dydt{-1e6};
  const ode::Vector<1> before = y;
  double t = 1e16, h = 4.0;
  CHECK(integrator.apply(fast, y, dydt, t, 1e16 + 64.0, h) == -1);
  REQUIRE(integrator.failed());
  CHECK(integrator.failure().reason == Reason::step_underflow);
  CHECK(integrator.failure().t == 1e16);
  CHECK(y == before);  // the state is left as it was
}

TEST_CASE("RKF45: a step whose result overflows is retried shorter; one that always overflows fails", "[ode]") {
  // y' = e^y from y = 1 blows up at t = 1/e: a first step of 2 overflows in its stages, so the
  // integrator retries shorter steps instead of accepting a NaN result as GSL would.
  auto explode = [](const ode::Vector<1>& y, ode::Vector<1>& f, double) { f[0] = std::exp(y[0]); };
  ode::GslStyleRkf45<1> integrator;
  ode::Vector<1> y{1.0}, dydt{std::exp(1.0)};
  double t = 0.0, h = 2.0;
  const int rejected = integrator.apply(explode, y, dydt, t, 2.0, h);
  CHECK(rejected >= 1);
  CHECK_FALSE(integrator.failed());
  CHECK(t > 0.0);
  CHECK(t < std::exp(-1.0));
  CHECK(y[0] == Approx(-std::log(std::exp(-1.0) - t)).margin(1e-3));

  // A right-hand side that is NaN from some time on cannot be integrated past it.
  auto blow_up = [](const ode::Vector<3>& x, ode::Vector<3>& f, double time) {
    f[0] = 0.0;
    f[1] = time > 0.05 ? std::nan("") : 0.0;
    f[2] = -x[2];
  };
  ode::GslStyleRkf45<3> other;
  ode::Vector<3> z{1.0, 2.0, 3.0}, dz{0.0, 0.0, -3.0};
  double tz = 0.0, hz = 0.1;
  while (tz < 0.1)
    if (other.apply(blow_up, z, dz, tz, 0.1, hz) < 0) break;
  REQUIRE(other.failed());
  CHECK(other.failure().reason == Reason::not_finite);
  CHECK(other.failure().component == 1);
  CHECK(std::isnan(other.failure().value));
  CHECK(other.failure().t <= 0.05);
  CHECK(z[1] == 2.0);
}

TEST_CASE("an ht_neuron with a negative GABA_A conductance stops the run with the node, time and variable",
          "[ode][ht_neuron]") {
  Simulator sim;
  sim.set_kernel_status({{"resolution", 0.5}});
  sim.create("parrot_neuron", 3);  // so that the neuron's id is 4
  auto neuron = sim.create("ht_neuron", 1, {{"g_KL", 1.0}, {"g_NaL", 1.0}, {"V_m", -44.0}});
  auto input = sim.create("spike_generator", 1, {{"spike_times", std::vector<double>{2.0, 3.0, 4.0, 5.0}}});
  sim.connect(input, neuron, Rule::one_to_one, {.weight = -20.0, .receptor_name = "GABA_A"});
  try {
    sim.simulate(100.0);
    FAIL("the simulation should have stopped");
  } catch (const IntegrationError& e) {
    CHECK(e.node() == 4);
    CHECK(e.model() == "ht_neuron");
    CHECK(e.time_ms() > 2.0);
    CHECK(e.time_ms() < 100.0);
    CHECK_THAT(std::string(e.located("layer x, population y").what()),
               Catch::Matchers::StartsWith("node 4 (ht_neuron, layer x, population y) diverged at "));
    CHECK(std::string(e.what()).find("state variable " + e.variable() + " = ") != std::string::npos);
    CHECK(sim.time() <= e.time_ms());  // the clock stays at the start of the failing slice
  }
  CHECK_THROWS_AS(sim.simulate(1.0), UserError);  // a half-updated network cannot simulate on
}
