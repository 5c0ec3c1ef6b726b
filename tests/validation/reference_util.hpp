// Helpers the reference checkers share: YAML scalars as typed Values, Python-style float text,
// and time-first trace tables in the reference CSV format.
#pragma once

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdangling-pointer"
#include <yaml-cpp/yaml.h>
#pragma GCC diagnostic pop

#include <string>
#include <vector>

#include "nestling/value.hpp"

namespace nestling::validation {

// A YAML node as a Value; scalars are typed by their text (true/false, integer, real, string),
// quoted scalars stay strings.
Value to_value(const YAML::Node& node);
// A mapping (or null, giving an empty Dict) as a Dict; anything else throws.
Dict to_dict(const YAML::Node& node);

// The shortest text that reads back as `x`, with ".0" on whole numbers (Python's repr of a float).
std::string shortest(double x);

// A trace: one row per sample, "time" the first column.
struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<double>> rows;
  // Index of `name` among the columns; throws if absent.
  std::size_t column(const std::string& name) const;
};
Table read_csv(const std::string& path);
// Time with 4 decimals, values with 10 significant digits (the reference files' format).
void write_csv(const std::string& path, const Table& t);

}  // namespace nestling::validation
