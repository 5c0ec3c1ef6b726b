// Reorders a column of a structure-of-arrays store by a permutation computed once for all its
// columns (a counting sort's order).
#pragma once

#include <cstdint>
#include <vector>

namespace nestling {

// New position i takes the element at old position order[i].
template <class T>
void reorder(std::vector<T>& v, const std::vector<std::uint32_t>& order) {
  std::vector<T> out;
  out.reserve(v.size());
  for (std::uint32_t i : order) out.push_back(v[i]);
  v.swap(out);
}

}  // namespace nestling
