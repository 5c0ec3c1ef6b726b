// The network of main.cpp on the processes of an MPI communicator: every process makes the same
// calls, holds the nodes it owns, and records their spikes; the counts add up to one process's.
//   mpirun -np 2 embed_mpi_example
#include <mpi.h>
#include <nestling/simulator.hpp>

#include <cstdio>

int main(int argc, char** argv) {
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_SERIALIZED, &provided);
  int rank = 0, status = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  try {
    using namespace nestling;
    Simulator sim(MPI_COMM_WORLD);
    sim.set_kernel_status({{"resolution", 0.1}, {"local_num_threads", 1}, {"rng_seed", 42}});

    auto input = sim.create("poisson_generator", 1, {{"rate", 50.0}});
    auto relays = sim.create("parrot_neuron", 100);
    auto targets = sim.create("parrot_neuron", 10);
    auto detector = sim.create("spike_detector");

    sim.connect(input, relays);
    sim.connect(relays, targets, Rule::all_to_all, {.model = "static_synapse", .delay = 1.5});
    sim.connect(targets, detector);
    sim.simulate(200.0);

    // Each process's detector saw the spikes of the nodes it owns.
    unsigned long mine = sim.spikes(detector[0]).times.size(), total = 0;
    MPI_Allreduce(&mine, &total, 1, MPI_UNSIGNED_LONG, MPI_SUM, MPI_COMM_WORLD);
    int processes = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &processes);
    if (rank == 0) std::printf("simulated %.1f ms, %lu spikes recorded on %d processes\n", sim.time(), total, processes);
    status = total == 0 ? 1 : 0;
  } catch (const nestling::UserError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    status = 2;
  }
  MPI_Finalize();
  return status;
}
