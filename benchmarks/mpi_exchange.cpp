// The spike exchange of a distributed run, alone: every process sends the same number of
// records per slice and every process needs all of them (nestling's rule: a process holds the
// connections onto its nodes, whose sources may be anywhere). Compares MPI_Allgatherv, which
// nestling uses, with MPI_Alltoallv carrying the same data (each process's records sent to
// every other: what a target-aware exchange degenerates to when every source has targets on
// every process, as in layered networks cut by index).
//   mpirun -np R build/benchmarks/mpi_exchange [records_per_process...]
// Prints microseconds per exchange (median of 200) for each size.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#if defined(NESTLING_HAVE_MPI)
#include <mpi.h>

namespace {
constexpr int kRecordBytes = 32;  // sizeof(nestling::Emission)

double median_us(std::vector<double>& t) {
  std::sort(t.begin(), t.end());
  return t[t.size() / 2] * 1e6;
}
}  // namespace

int main(int argc, char** argv) {
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_SERIALIZED, &provided);
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  std::vector<int> records = {0, 10, 100, 1000, 10000};
  if (argc > 1) {
    records.clear();
    for (int a = 1; a < argc; ++a) records.push_back(std::atoi(argv[a]));
  }
  if (rank == 0) std::printf("processes %d, record %d bytes\n%10s %14s %14s\n", size, kRecordBytes, "records", "allgatherv us", "alltoallv us");
  for (int n : records) {
    const int bytes = n * kRecordBytes;
    std::vector<char> mine(static_cast<std::size_t>(bytes), 1), all(static_cast<std::size_t>(bytes) * size);
    std::vector<int> counts(size, bytes), displs(size);
    for (int p = 0; p < size; ++p) displs[p] = p * bytes;
    std::vector<char> send(static_cast<std::size_t>(bytes) * size, 1);
    std::vector<double> ag, a2a;
    for (int rep = 0; rep < 220; ++rep) {
      MPI_Barrier(MPI_COMM_WORLD);
      auto t0 = std::chrono::steady_clock::now();
      int count = bytes;  // nestling first gathers the counts, then the records
      std::vector<int> sizes(size);
      MPI_Allgather(&count, 1, MPI_INT, sizes.data(), 1, MPI_INT, MPI_COMM_WORLD);
      MPI_Allgatherv(mine.data(), bytes, MPI_BYTE, all.data(), counts.data(), displs.data(), MPI_BYTE, MPI_COMM_WORLD);
      auto t1 = std::chrono::steady_clock::now();
      MPI_Barrier(MPI_COMM_WORLD);
      auto t2 = std::chrono::steady_clock::now();
      std::vector<int> scounts(size, bytes), rcounts(size);
      MPI_Alltoall(scounts.data(), 1, MPI_INT, rcounts.data(), 1, MPI_INT, MPI_COMM_WORLD);
      MPI_Alltoallv(send.data(), scounts.data(), displs.data(), MPI_BYTE, all.data(), rcounts.data(), displs.data(),
                    MPI_BYTE, MPI_COMM_WORLD);
      auto t3 = std::chrono::steady_clock::now();
      if (rep >= 20) {
        ag.push_back(std::chrono::duration<double>(t1 - t0).count());
        a2a.push_back(std::chrono::duration<double>(t3 - t2).count());
      }
    }
    double m[2] = {median_us(ag), median_us(a2a)};
    MPI_Allreduce(MPI_IN_PLACE, m, 2, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);  // the slowest process
    if (rank == 0) std::printf("%10d %14.1f %14.1f\n", n, m[0], m[1]);
  }
  MPI_Finalize();
  return 0;
}
#else
int main() {
  std::printf("mpi_exchange: nestling was built without MPI\n");
  return 0;
}
#endif
