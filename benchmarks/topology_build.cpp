// Construction speed of layer-to-layer projections (connect_layers), at 1 and 2 threads.
//
// Each row builds a fresh simulator with two 100 x 100 periodic grid layers of parrot neurons
// and times one connect_layers call of about 10 million synapses ("build"), then the kernel's
// preparation of the new connections for simulation ("finalize": sorting them by source, which
// belongs to the engine, not to the topology builder). NEST 2.20 builds about 0.2 M synapses/s.
//
//   build/benchmarks/topology_build [--quick]     (--quick: 25 x 25 layers, a smoke test)

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "benchmarks/provenance.hpp"
#include "engine/kernel.hpp"
#include "nestling/simulator.hpp"
#include "nestling/spatial.hpp"

using namespace nestling;

namespace {

struct Case {
  const char* what;
  Dict spec;
};

Dict circular(double radius) {
  return Dict{{"circular", Dict{{"radius", radius}}}};
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

long peak_rss_mb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6)) / 1024;
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  const long side = quick ? 25 : 100;
  const std::vector<Case> cases = {
      {"convergent, circular mask r=0.178, no kernel", {{"connection_type", "convergent"}, {"mask", circular(0.178)}}},
      {"divergent, circular r=0.35, gaussian kernel, linear delays",
       {{"connection_type", "divergent"},
        {"mask", circular(0.35)},
        {"kernel", Dict{{"gaussian", Dict{{"p_center", 1.0}, {"sigma", 0.15}}}}},
        {"delays", Dict{{"linear", Dict{{"c", 1.0}, {"a", 2.0}}}}}}},
      {"convergent fixed fan-in 1000, circular r=0.25",
       {{"connection_type", "convergent"}, {"mask", circular(0.25)}, {"number_of_connections", 1000}}},
      {"divergent fixed fan-out 1000, circular r=0.25",
       {{"connection_type", "divergent"}, {"mask", circular(0.25)}, {"number_of_connections", 1000}}},
  };

  std::printf("topology_build — connect_layers between two %ld x %ld periodic grid layers of parrot_neuron\n", side,
              side);
  std::printf("%s\n", bench::provenance().c_str());
  std::printf("build = connect_layers wall time; finalize = Kernel::prepare sorting the new connections (engine)\n\n");
  std::printf("%-58s %7s %11s %8s %9s %10s %9s\n", "projection", "threads", "synapses", "build s", "M syn/s",
              "finalize s", "bytes/syn");
  for (const Case& c : cases) {
    for (int threads : {1, 2}) {
      Simulator sim;
      sim.set_kernel_status({{"local_num_threads", threads}, {"rng_seed", 12345}});
      const Dict layer{{"rows", side},
                       {"columns", side},
                       {"extent", std::vector<double>{1.0, 1.0}},
                       {"edge_wrap", true},
                       {"elements", "parrot_neuron"}};
      const GridLayer pre = create_grid_layer(sim, layer);
      const GridLayer post = create_grid_layer(sim, layer);
      auto t0 = std::chrono::steady_clock::now();
      const std::size_t n = connect_layers(sim, pre, post, c.spec);
      const double build = seconds_since(t0);
      t0 = std::chrono::steady_clock::now();
      sim.kernel().prepare();
      const double finalize = seconds_since(t0);
      const double bytes = static_cast<double>(sim.kernel().connection_bytes()) / static_cast<double>(n);
      std::printf("%-58s %7d %11zu %8.3f %9.2f %10.3f %9.1f\n", c.what, threads, n, build,
                  static_cast<double>(n) / build / 1e6, finalize, bytes);
      std::fflush(stdout);
    }
  }
  std::printf("\npeak resident memory of the process: %ld MB\n", peak_rss_mb());
  return 0;
}
