// Reading CreateLayer / ConnectLayers dictionaries: typed access that reports the path of the
// offending key, and rejection of unknown keys with the list of valid ones.
#pragma once

#include <initializer_list>
#include <string>

#include "engine/spatial/geometry.hpp"
#include "nestling/errors.hpp"
#include "nestling/value.hpp"

namespace nestling::spatial {

std::string join_path(const std::string& parent, const std::string& key);

// Shortest round-trip rendering of a number for messages ("-1", "0.25", "1e-07").
std::string format_number(double x);

double read_double(const Value& v, const std::string& path);
long read_int(const Value& v, const std::string& path);
bool read_bool(const Value& v, const std::string& path);
const std::string& read_string(const Value& v, const std::string& path);
const Dict& read_dict(const Value& v, const std::string& path);
// A list of exactly two numbers.
Vec2 read_point(const Value& v, const std::string& path);

// Throws UserError(path/key, ...) for the first key of `d` not in `valid`.
void reject_unknown(const Dict& d, std::initializer_list<const char*> valid, const std::string& path,
                    const std::string& what);

}  // namespace nestling::spatial
