// The processes of a run and the few collectives the kernel needs between them.
//
// Without MPI, or with one process, every operation is local and costs nothing. With MPI the
// communicator wraps an MPI communicator that the caller initialised (the CLI uses
// MPI_COMM_WORLD; an embedding program may hand over its own). Collectives are called by one
// thread of each process at a time (MPI_THREAD_SERIALIZED is enough).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <type_traits>
#include <vector>

namespace nestling {

class Communicator {
 public:
  Communicator() = default;  // a single process
  // Wraps an MPI communicator given as the address of an MPI_Comm (nullptr = MPI_COMM_WORLD).
  // Throws UserError when nestling was built without MPI or MPI is not initialised.
  static Communicator from_mpi(const void* mpi_comm);
  // MPI_COMM_WORLD when MPI is initialised with more than one process, a single process otherwise.
  static Communicator world();

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool distributed() const { return size_ > 1; }

  // Every process's bytes in rank order; `counts` (if given) receives each process's count.
  std::vector<std::byte> all_gather(std::span<const std::byte> mine, std::vector<std::size_t>* counts = nullptr) const;
  template <class T>
  std::vector<T> all_gather_values(const std::vector<T>& mine, std::vector<std::size_t>* counts = nullptr) const {
    static_assert(std::is_trivially_copyable_v<T>);
    const auto bytes = all_gather(std::as_bytes(std::span<const T>(mine)), counts);
    std::vector<T> out(bytes.size() / sizeof(T));
    if (!out.empty()) std::memcpy(out.data(), bytes.data(), bytes.size());
    if (counts)
      for (auto& c : *counts) c /= sizeof(T);
    return out;
  }
  // Element-wise reductions over all processes.
  void sum(std::span<std::uint64_t> values) const;
  void max(std::span<std::int64_t> values) const;
  std::uint64_t sum(std::uint64_t v) const {
    sum(std::span<std::uint64_t>(&v, 1));
    return v;
  }
  void barrier() const;
  // Ends every process of the run at once (MPI_Abort); a no-op without MPI.
  [[noreturn]] void abort(int status) const;

 private:
  int rank_ = 0, size_ = 1;
  std::uintptr_t handle_ = 0;  // the MPI_Comm, stored without including mpi.h here
};

// Whether this binary was built with MPI, and whether MPI is initialised.
bool mpi_available();
bool mpi_initialized();
// For programs: starts MPI (MPI_THREAD_SERIALIZED) if an MPI launcher (mpirun, srun) started
// this process, and returns whether it did; finish_mpi() ends it at exit.
bool start_mpi_if_launched(int& argc, char**& argv);
void finish_mpi();

}  // namespace nestling
