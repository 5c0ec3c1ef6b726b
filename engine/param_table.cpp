#include "engine/param_table.hpp"

#include <algorithm>
#include <sstream>

#include "engine/suggest.hpp"

namespace nestling {

const char* kind_name(ParamKind kind) {
  switch (kind) {
    case ParamKind::real: return "double";
    case ParamKind::integer: return "integer";
    case ParamKind::boolean: return "boolean";
    case ParamKind::real_list: return "list of doubles";
    case ParamKind::string: return "string";
    case ParamKind::string_list: return "list of strings";
    case ParamKind::any: return "any";
  }
  return "?";
}

const char* check_text(Check check) {
  switch (check) {
    case Check::any: return "";
    case Check::positive: return "> 0";
    case Check::non_negative: return ">= 0";
    case Check::unit_interval: return "in [0, 1]";
    case Check::at_least_one: return ">= 1";
  }
  return "";
}

void check_value(const std::string& path, Check check, double x) {
  bool ok = true;
  switch (check) {
    case Check::any: break;
    case Check::positive: ok = x > 0.0; break;
    case Check::non_negative: ok = x >= 0.0; break;
    case Check::unit_interval: ok = x >= 0.0 && x <= 1.0; break;
    case Check::at_least_one: ok = x >= 1.0; break;
  }
  if (!ok) {
    std::ostringstream os;
    os << "must be " << check_text(check) << ", got " << x;
    throw UserError(path, os.str());
  }
}

void throw_unknown_parameter(const std::string& model, const std::string& key, const std::vector<ParamSpec>& valid) {
  std::vector<std::string> names;
  for (const auto& s : valid)
    if (!s.read_only) names.push_back(s.name);
  std::sort(names.begin(), names.end());
  std::ostringstream os;
  os << "unknown parameter '" << key << "' for model " << model << did_you_mean(key, names) << "; valid names: ";
  for (std::size_t i = 0; i < names.size(); ++i) os << (i ? ", " : "") << names[i];
  throw UserError(key, os.str());
}

void reject_unconsumed(const std::string& model, const Dict& d, const std::vector<std::string>& consumed,
                       const std::vector<ParamSpec>& valid) {
  for (const auto& [key, value] : d) {
    if (std::find(consumed.begin(), consumed.end(), key) != consumed.end()) continue;
    for (const auto& s : valid)
      if (s.name == key && s.read_only) throw UserError(key, "is read-only for model " + model);
    throw_unknown_parameter(model, key, valid);
  }
}

}  // namespace nestling
