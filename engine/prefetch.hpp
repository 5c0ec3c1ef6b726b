// Asking the cache for memory that a loop will read soon.
#pragma once

#include <algorithm>
#include <cstddef>

namespace nestling {

// The bytes [at, end): all at once (now), or one part per call of next() after split(parts).
struct Prefetch {
  const char* at = nullptr;
  const char* end = nullptr;
  std::size_t part = 0;

  static void now(const void* begin, const void* stop) {
    for (auto p = static_cast<const char*>(begin); p < static_cast<const char*>(stop); p += 64) __builtin_prefetch(p);
  }
  void split(std::size_t parts) {
    part = std::max<std::size_t>(64, (static_cast<std::size_t>(end - at) / parts + 63) & ~std::size_t{63});
  }
  void next() {
    const char* until = std::min(at + part, end);
    now(at, until);
    at = until;
  }
};

}  // namespace nestling
