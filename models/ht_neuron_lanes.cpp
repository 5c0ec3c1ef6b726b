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

int lane_width(LanePath path) {
  switch (path) {
    case LanePath::scalar:
      return 1;
    case LanePath::portable:
      return 2;
    case LanePath::avx2:
      return 4;
    case LanePath::avx512:
      return 8;
  }
  return 1;
}

const char* lane_path_name(LanePath path) {
  switch (path) {
    case LanePath::scalar:
      return "scalar";
    case LanePath::portable:
      return "portable";
    case LanePath::avx2:
      return "avx2";
    case LanePath::avx512:
      return "avx512";
  }
  return "scalar";
}

bool parse_lane_path(const std::string& name, LanePath& path) {
  for (LanePath p : {LanePath::scalar, LanePath::portable, LanePath::avx2, LanePath::avx512})
    if (name == lane_path_name(p)) {
      path = p;
      return true;
    }
  return false;
}

bool lane_path_available(LanePath path) {
  switch (path) {
    case LanePath::scalar:
    case LanePath::portable:
      return true;
    case LanePath::avx2:
#if defined(NESTLING_X86_LANES)
      return __builtin_cpu_supports("avx2");
#else
      return false;
#endif
    case LanePath::avx512:
#if defined(NESTLING_X86_LANES)
      return __builtin_cpu_supports("avx512f");
#else
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
