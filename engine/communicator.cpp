#include "engine/communicator.hpp"

#include <cstdlib>
#include <limits>

#include "nestling/errors.hpp"

#if defined(NESTLING_HAVE_MPI)
#include <mpi.h>
#endif

namespace nestling {

#if defined(NESTLING_HAVE_MPI)

namespace {
MPI_Comm comm_of(std::uintptr_t handle) {
  MPI_Comm c;
  std::memcpy(&c, &handle, sizeof c);
  return c;
}
void check(int status, const char* what) {
  if (status != MPI_SUCCESS) throw InternalError(std::string("MPI call failed: ") + what);
}
}  // namespace

bool mpi_available() { return true; }

bool mpi_initialized() {
  int initialized = 0, finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  return initialized && !finalized;
}

bool start_mpi_if_launched(int& argc, char**& argv) {
  // The variables Open MPI's mpirun, PMIx (srun --mpi=pmix) and PMI-1/2 launchers set.
  const bool launched = std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMIX_RANK") || std::getenv("PMI_RANK");
  if (!launched || mpi_initialized()) return false;
  int provided = 0;
  check(MPI_Init_thread(&argc, &argv, MPI_THREAD_SERIALIZED, &provided), "MPI_Init_thread");
  if (provided < MPI_THREAD_SERIALIZED)
    throw UserError("MPI", "this MPI library does not support calls from several threads (MPI_THREAD_SERIALIZED)");
  return true;
}

void finish_mpi() {
  if (mpi_initialized()) MPI_Finalize();
}

Communicator Communicator::from_mpi(const void* mpi_comm) {
  if (!mpi_initialized()) throw UserError("communicator", "MPI is not initialised (call MPI_Init first)");
  static_assert(sizeof(MPI_Comm) <= sizeof(std::uintptr_t));
  const MPI_Comm comm = mpi_comm ? *static_cast<const MPI_Comm*>(mpi_comm) : MPI_COMM_WORLD;
  Communicator c;
  std::memcpy(&c.handle_, &comm, sizeof comm);
  check(MPI_Comm_rank(comm, &c.rank_), "MPI_Comm_rank");
  check(MPI_Comm_size(comm, &c.size_), "MPI_Comm_size");
  return c;
}

Communicator Communicator::world() {
  if (!mpi_initialized()) return {};
  return from_mpi(nullptr);
}

std::vector<std::byte> Communicator::all_gather(std::span<const std::byte> mine, std::vector<std::size_t>* counts) const {
  if (size_ == 1) {
    if (counts) counts->assign(1, mine.size());
    return {mine.begin(), mine.end()};
  }
  if (mine.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    throw InternalError("a process sends more than 2 GiB in one exchange");
  const MPI_Comm comm = comm_of(handle_);
  const int n = static_cast<int>(mine.size());
  std::vector<int> sizes(static_cast<std::size_t>(size_)), displs(static_cast<std::size_t>(size_));
  check(MPI_Allgather(&n, 1, MPI_INT, sizes.data(), 1, MPI_INT, comm), "MPI_Allgather");
  std::size_t total = 0;
  for (std::size_t p = 0; p < sizes.size(); ++p) {
    displs[p] = static_cast<int>(total);
    total += static_cast<std::size_t>(sizes[p]);
  }
  if (total > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    throw InternalError("an exchange gathers more than 2 GiB");
  std::vector<std::byte> out(total);
  check(MPI_Allgatherv(mine.data(), n, MPI_BYTE, out.data(), sizes.data(), displs.data(), MPI_BYTE, comm),
        "MPI_Allgatherv");
  if (counts) counts->assign(sizes.begin(), sizes.end());
  return out;
}

void Communicator::sum(std::span<std::uint64_t> values) const {
  if (size_ == 1 || values.empty()) return;
  check(MPI_Allreduce(MPI_IN_PLACE, values.data(), static_cast<int>(values.size()), MPI_UINT64_T, MPI_SUM,
                      comm_of(handle_)),
        "MPI_Allreduce");
}

void Communicator::max(std::span<std::int64_t> values) const {
  if (size_ == 1 || values.empty()) return;
  check(MPI_Allreduce(MPI_IN_PLACE, values.data(), static_cast<int>(values.size()), MPI_INT64_T, MPI_MAX,
                      comm_of(handle_)),
        "MPI_Allreduce");
}

void Communicator::barrier() const {
  if (size_ > 1) check(MPI_Barrier(comm_of(handle_)), "MPI_Barrier");
}

void Communicator::abort(int status) const {
  if (size_ > 1) MPI_Abort(comm_of(handle_), status);
  std::_Exit(status);
}

#else  // without MPI: one process

bool mpi_available() { return false; }
bool mpi_initialized() { return false; }
bool start_mpi_if_launched(int&, char**&) {
  if (std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMIX_RANK") || std::getenv("PMI_RANK"))
    throw UserError("MPI", "started by an MPI launcher, but this nestling was built without MPI (install "
                           "libopenmpi-dev and rebuild)");
  return false;
}
void finish_mpi() {}

Communicator Communicator::from_mpi(const void*) {
  throw UserError("communicator", "this nestling was built without MPI (configure with Open MPI installed)");
}

Communicator Communicator::world() { return {}; }

std::vector<std::byte> Communicator::all_gather(std::span<const std::byte> mine, std::vector<std::size_t>* counts) const {
  if (counts) counts->assign(1, mine.size());
  return {mine.begin(), mine.end()};
}
void Communicator::sum(std::span<std::uint64_t>) const {}
void Communicator::max(std::span<std::int64_t>) const {}
void Communicator::barrier() const {}
void Communicator::abort(int status) const { std::_Exit(status); }

#endif

}  // namespace nestling
