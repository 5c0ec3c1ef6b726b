#include "models/ht_neuron_lanes.hpp"

#include <cstdlib>
#include <mutex>
#include <optional>
#include <stdexcept>

#include "nestling/errors.hpp"

namespace nestling::ht {

namespace {

std::optional<LanePath> forced;
std::once_flag environment_read;
LanePath automatic = LanePath::scalar;
std::string environment_error;

// The widest vector path. On x86-64 below AVX2 the scalar code (its packed exponentials in
// SSE2) is preferred: 2-lane blocks measured slower than the scalar code's AVX2 clone, and no
// SSE2-only machine was at hand to settle the comparison there.
LanePath widest_available() {
#if defined(NESTLING_X86_LANES)
  for (LanePath p : {LanePath::avx512, LanePath::avx2})
    if (lane_path_available(p)) return p;
  return LanePath::scalar;
#else
  return LanePath::portable;
#endif
}

void read_environment() {
  automatic = widest_available();
  const char* value = std::getenv("NESTLING_SIMD");
  if (value == nullptr || *value == '\0') return;
  LanePath p;
  if (!parse_lane_path(value, p))
    environment_error = std::string("unknown path '") + value + "' (avx512, avx2, portable, scalar)";
  else if (!lane_path_available(p))
    environment_error = std::string("this CPU cannot run the ") + value + " path";
  else
    automatic = p;
}

}  // namespace

namespace {
// Every path with its name (as NESTLING_SIMD takes it) and lane count, in LanePath order.
struct PathInfo {
  LanePath path;
  const char* name;
  int width;
};
constexpr PathInfo kPaths[] = {{LanePath::scalar, "scalar", 1},
                               {LanePath::portable, "portable", 2},
                               {LanePath::avx2, "avx2", 4},
                               {LanePath::avx512, "avx512", 8}};
const PathInfo& info(LanePath path) { return kPaths[static_cast<int>(path)]; }
}  // namespace

int lane_width(LanePath path) { return info(path).width; }

const char* lane_path_name(LanePath path) { return info(path).name; }

bool parse_lane_path(const std::string& name, LanePath& path) {
  for (const PathInfo& p : kPaths)
    if (name == p.name) {
      path = p.path;
      return true;
    }
  return false;
}

bool lane_path_available(LanePath path) {
  switch (path) {
    case LanePath::scalar:
    case LanePath::portable:
      return true;
#if defined(NESTLING_X86_LANES)  // the AVX kernels are built on x86-64 only
    case LanePath::avx2:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case LanePath::avx512:
      return __builtin_cpu_supports("avx512f");
#else
    case LanePath::avx2:
    case LanePath::avx512:
      return false;
#endif
  }
  return false;
}

LanePath lane_path() {
  if (forced) return *forced;
  std::call_once(environment_read, read_environment);
  if (!environment_error.empty()) throw UserError("NESTLING_SIMD", environment_error);
  return automatic;
}

void set_lane_path(LanePath path) {
  if (!lane_path_available(path))
    throw std::invalid_argument(std::string("the ") + lane_path_name(path) + " integration path is not available");
  forced = path;
}

void reset_lane_path() { forced.reset(); }

}  // namespace nestling::ht
