// Vose's alias method: draws index i with probability w_i / Σw in O(1) per draw, as NEST's
// fixed fan-in/fan-out rules do with their kernel values (spec §6.5).
#pragma once

#include <cstdint>
#include <vector>

#include "engine/rng.hpp"

namespace nestling::spatial {

class AliasTable {
 public:
  // Weights must be non-negative with a positive sum. Buffers are reused between builds.
  void build(const std::vector<double>& weights) {
    const std::size_t n = weights.size();
    double sum = 0.0;
    for (double w : weights) sum += w;
    n_ = n;
    prob_.assign(n, 0.0);
    alias_.assign(n, 0);
    scaled_.resize(n);
    small_.clear();
    large_.clear();
    std::uint32_t heaviest = 0;
    for (std::size_t i = 0; i < n; ++i) {
      scaled_[i] = weights[i] * static_cast<double>(n) / sum;
      (scaled_[i] < 1.0 ? small_ : large_).push_back(static_cast<std::uint32_t>(i));
      if (weights[i] > weights[heaviest]) heaviest = static_cast<std::uint32_t>(i);
    }
    while (!small_.empty() && !large_.empty()) {
      const std::uint32_t s = small_.back(), l = large_.back();
      small_.pop_back();
      large_.pop_back();
      prob_[s] = scaled_[s];
      alias_[s] = l;
      scaled_[l] = (scaled_[l] + scaled_[s]) - 1.0;
      (scaled_[l] < 1.0 ? small_ : large_).push_back(l);
    }
    for (std::uint32_t l : large_) prob_[l] = 1.0;
    // Left-overs from rounding: keep zero weights impossible to draw.
    for (std::uint32_t s : small_) {
      prob_[s] = weights[s] > 0.0 ? 1.0 : 0.0;
      alias_[s] = heaviest;
    }
  }

  std::size_t draw(Rng& rng) const {
    const double r = uniform01(rng) * static_cast<double>(n_);
    std::size_t i = static_cast<std::size_t>(r);
    if (i >= n_) i = n_ - 1;
    return r - static_cast<double>(i) < prob_[i] ? i : alias_[i];
  }

 private:
  std::size_t n_ = 0;
  std::vector<double> prob_, scaled_;
  std::vector<std::uint32_t> alias_, small_, large_;
};

}  // namespace nestling::spatial
