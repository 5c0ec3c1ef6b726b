// WeightColumn: a palette of distinct weights with one-byte indices, one double per connection
// beyond 256 distinct values; always exactly the values stored.
#include <catch2/catch.hpp>

#include <bit>
#include <cmath>

#include "engine/weight_column.hpp"

using nestling::WeightColumn;

TEST_CASE("weight column: few distinct weights cost a byte each and read back exactly", "[engine][weights]") {
  WeightColumn c;
  const double values[] = {0.75, 3.0, -0.0, 0.0, 0.1 + 0.2};
  for (int i = 0; i < 1000; ++i) c.push_back(values[i % 5]);
  CHECK(c.size() == 1000);
  CHECK(c.bytes_per_connection() == 1);
  for (std::size_t k = 0; k < c.size(); ++k)
    CHECK(std::bit_cast<std::uint64_t>(c[k]) == std::bit_cast<std::uint64_t>(values[k % 5]));  // -0.0 stays -0.0
}

TEST_CASE("weight column: the 257th distinct weight switches to one double per connection", "[engine][weights]") {
  WeightColumn c;
  for (int i = 0; i < 256; ++i) c.push_back(i * 0.5);
  CHECK(c.bytes_per_connection() == 1);
  c.push_back(1000.25);
  CHECK(c.bytes_per_connection() == 8);
  c.push_back(std::nextafter(1.0, 2.0));
  REQUIRE(c.size() == 258);
  for (int i = 0; i < 256; ++i) CHECK(c[static_cast<std::size_t>(i)] == i * 0.5);
  CHECK(c[256] == 1000.25);
  CHECK(c[257] == std::nextafter(1.0, 2.0));
}

TEST_CASE("weight column: reordering, visiting and setting every weight", "[engine][weights]") {
  for (int distinct : {3, 300}) {
    WeightColumn c;
    for (int i = 0; i < 600; ++i) c.push_back((i % distinct) * 1.5);
    std::vector<std::uint32_t> order(600);
    for (std::uint32_t i = 0; i < 600; ++i) order[i] = 599 - i;
    c.reorder(order);
    c.visit([&](auto weight_of) {
      for (std::uint32_t k = 0; k < 600; ++k) CHECK(weight_of(k) == ((599 - k) % distinct) * 1.5);
    });
    c.assign_all(2.5);
    CHECK(c.size() == 600);
    CHECK(c.bytes_per_connection() == 1);
    CHECK(c[0] == 2.5);
    CHECK(c[599] == 2.5);
  }
}
