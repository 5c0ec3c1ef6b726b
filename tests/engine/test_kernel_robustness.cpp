// Found in review: bad input and unusual use must give UserErrors and keep the kernel sound.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "engine/kernel.hpp"
#include "nestling/simulator.hpp"

using namespace nestling;

TEST_CASE("a bad per-connection state leaves no half-added connection behind", "[kernel][robustness]") {
  Simulator sim;
  auto a = sim.create("parrot_neuron", 2);
  CHECK_THROWS_AS(sim.connect(NodeCollection({a[0]}), NodeCollection({a[1]}), Rule::all_to_all,
                              {.model = "ht_synapse", .state = {{"P", 2.0}}}),
                  UserError);
  sim.connect(NodeCollection({a[0]}), NodeCollection({a[1]}), Rule::all_to_all,
              {.model = "ht_synapse", .state = {{"P", 0.5}}});
  const auto c = sim.get_connections();
  REQUIRE(c.size() == 1);
  CHECK(c[0].state.at("P").as_double() == 0.5);
  sim.simulate(5.0);
}

TEST_CASE("non-finite weights and rates are errors", "[kernel][robustness]") {
  Simulator sim;
  auto a = sim.create("parrot_neuron", 2);
  CHECK_THROWS_AS(sim.connect(NodeCollection({a[0]}), NodeCollection({a[1]}), Rule::all_to_all,
                              {.weight = std::numeric_limits<double>::infinity()}),
                  UserError);
  auto pg = sim.create("poisson_generator", 1, {{"rate", std::numeric_limits<double>::infinity()}});
  sim.connect(pg, NodeCollection({a[0]}));
  CHECK_THROWS_AS(sim.simulate(1.0), UserError);
  CHECK_THROWS_AS(sim.set_synapse_status("static_synapse", {{"wieght", 2.0}}), UserError);  // even without connections
}

TEST_CASE("huge times and delays are errors, not overflows", "[kernel][robustness]") {
  Simulator sim;
  auto a = sim.create("parrot_neuron", 2);
  CHECK_THROWS_AS(sim.connect(NodeCollection({a[0]}), NodeCollection({a[1]}), Rule::all_to_all, {.delay = 1e300}),
                  UserError);
  CHECK_THROWS_AS(sim.connect(NodeCollection({a[0]}), NodeCollection({a[1]}), Rule::all_to_all, {.delay = -1e300}),
                  UserError);
  CHECK_THROWS_AS(sim.simulate(1e17), UserError);
  auto det = sim.create("spike_detector", 1, {{"start", 1e20}});  // "never": records nothing
  sim.connect(NodeCollection({a[0]}), det);
  sim.simulate(2.0);
  CHECK(sim.spikes(det[0]).times.empty());
}

TEST_CASE("text output survives extreme values and refuses absurd precision", "[kernel][robustness]") {
  const auto dir = std::filesystem::temp_directory_path() / "nestling_extreme_text";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    Simulator sim;
    sim.set_kernel_status({{"data_path", dir.string()}});
    auto dc = sim.create("dc_generator", 1, {{"amplitude", 1e70}});
    auto mm = sim.create("multimeter", 1, {{"record_from", List{"I"}}, {"record_to", List{"file"}}, {"label", "big"}});
    sim.connect(mm, dc);
    sim.simulate(3.0);
  }
  std::ifstream in(dir / "big-2-0.dat");
  std::string line;
  std::getline(in, line);
  std::getline(in, line);  // the second sample is active
  CHECK(line.find("10000000000000000") != std::string::npos);
  CHECK(line.back() == '\t');
  Simulator sim;
  auto det = sim.create("spike_detector", 1, {{"precision", 100}});
  CHECK_THROWS_AS(sim.simulate(1.0), UserError);
}

TEST_CASE("nodes created one at a time spread over the threads", "[kernel][robustness]") {
  Simulator sim;
  sim.set_kernel_status({{"local_num_threads", 2}});
  int on_first = 0;
  for (int i = 0; i < 10; ++i) {
    auto n = sim.create("parrot_neuron");
    on_first += sim.get_status(n[0]).at("thread").as_int() == 0;
  }
  CHECK(on_first == 5);
}

TEST_CASE("Poisson input recorded directly does not depend on how the run is split", "[kernel][robustness]") {
  auto run = [](std::vector<double> chunks) {
    Simulator sim;
    auto pg = sim.create("poisson_generator", 2, {{"rate", 800.0}});
    auto det = sim.create("spike_detector");
    sim.connect(pg, det);
    for (double c : chunks) sim.simulate(c);
    return sim.spikes(det[0]);
  };
  std::vector<double> pieces;
  for (int i = 0; i < 20; ++i) {
    pieces.push_back(0.3);
    pieces.push_back(0.2);
  }
  const auto whole = run({10.0}), split = run(pieces);
  CHECK(whole.times == split.times);
  CHECK(whole.senders == split.senders);
  CHECK(whole.times.size() > 5);
}

TEST_CASE("a stop request ends one simulation only", "[kernel][robustness]") {
  Simulator sim;
  sim.create("parrot_neuron");
  sim.kernel().request_stop();
  sim.simulate(5.0);
  CHECK(sim.kernel().stopped());
  CHECK(sim.time() == 0.0);
  sim.simulate(5.0);
  CHECK(!sim.kernel().stopped());
  CHECK(sim.time() == Approx(5.0));
}
