// The weights of a synapse store's connections.
//
// Trees give most projections one weight, or a few, so a store usually holds a handful of
// distinct values: they are kept once in a palette and each connection holds a one-byte index
// (1 byte instead of 8, and less memory traffic while delivering). The 257th distinct value
// switches the column to one double per connection. Values are compared bit for bit, so what
// is read back is exactly what was stored.
#pragma once

#include <bit>
#include <cstdint>
#include <limits>
#include <vector>

#include "engine/reorder.hpp"

namespace nestling {

class WeightColumn {
 public:
  std::size_t size() const { return palette_mode_ ? index_.size() : direct_.size(); }
  std::size_t bytes_per_connection() const { return palette_mode_ ? sizeof(std::uint8_t) : sizeof(double); }
  std::size_t bytes() const {
    return index_.capacity() * sizeof(std::uint8_t) + direct_.capacity() * sizeof(double) +
           palette_.capacity() * sizeof(double);
  }

  double operator[](std::size_t k) const { return palette_mode_ ? palette_[index_[k]] : direct_[k]; }

  void push_back(double w) {
    if (!palette_mode_) {
      direct_.push_back(w);
      return;
    }
    const std::size_t slot = find_or_add(w);
    if (slot > kMaxIndex) {
      to_direct();
      direct_.push_back(w);
      return;
    }
    index_.push_back(static_cast<std::uint8_t>(slot));
  }

  // Every connection takes weight w.
  void assign_all(double w) {
    const std::size_t n = size();
    *this = WeightColumn();
    palette_.push_back(w);
    index_.assign(n, 0);
  }

  // Reorders: new position i takes the weight at old position order[i].
  void reorder(const std::vector<std::uint32_t>& order) {
    if (palette_mode_)
      nestling::reorder(index_, order);
    else
      nestling::reorder(direct_, order);
  }

  // Calls f(weights) once with a callable weights(k), resolved outside the caller's loop.
  template <class F>
  void visit(F&& f) const {
    if (palette_mode_) {
      const double* palette = palette_.data();
      const std::uint8_t* index = index_.data();
      f([palette, index](std::uint32_t k) { return palette[index[k]]; });
    } else {
      const double* direct = direct_.data();
      f([direct](std::uint32_t k) { return direct[k]; });
    }
  }

 private:
  static constexpr std::size_t kMaxIndex = std::numeric_limits<std::uint8_t>::max();

  std::size_t find_or_add(double w) {
    const auto bits = std::bit_cast<std::uint64_t>(w);
    if (last_ < palette_.size() && std::bit_cast<std::uint64_t>(palette_[last_]) == bits) return last_;
    for (std::size_t i = 0; i < palette_.size(); ++i)
      if (std::bit_cast<std::uint64_t>(palette_[i]) == bits) return last_ = i;
    palette_.push_back(w);
    return last_ = palette_.size() - 1;
  }

  void to_direct() {
    direct_.reserve(index_.size() + 1);
    for (std::uint8_t i : index_) direct_.push_back(palette_[i]);
    index_ = {};
    palette_ = {};
    palette_mode_ = false;
  }

  bool palette_mode_ = true;
  std::size_t last_ = 0;  // the last slot found: runs of equal weights skip the search
  std::vector<double> palette_;
  std::vector<std::uint8_t> index_;
  std::vector<double> direct_;
};

}  // namespace nestling
