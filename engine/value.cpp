#include "nestling/value.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "nestling/errors.hpp"

namespace nestling {

Dict::Dict(std::initializer_list<Entry> entries) {
  for (const auto& e : entries) set(e.first, e.second);
}

bool Dict::contains(const std::string& key) const { return find(key) != nullptr; }

const Value& Dict::at(const std::string& key) const {
  if (const Value* v = find(key)) return *v;
  throw InternalError("dictionary has no key '" + key + "'");
}

const Value* Dict::find(const std::string& key) const {
  for (const auto& e : entries_)
    if (e.first == key) return &e.second;
  return nullptr;
}

Value* Dict::find(const std::string& key) {
  for (auto& e : entries_)
    if (e.first == key) return &e.second;
  return nullptr;
}

void Dict::set(const std::string& key, Value value) {
  if (Value* v = find(key)) {
    *v = std::move(value);
  } else {
    entries_.push_back(Entry{key, std::move(value)});
  }
}

bool Dict::erase(const std::string& key) {
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->first == key) {
      entries_.erase(it);
      return true;
    }
  }
  return false;
}

void Dict::merge_from(const Dict& other) {
  for (const auto& e : other.entries_) set(e.first, e.second);
}

std::vector<std::string> Dict::keys() const {
  std::vector<std::string> out;
  out.reserve(entries_.size());
  for (const auto& e : entries_) out.push_back(e.first);
  return out;
}

bool Dict::operator==(const Dict& other) const { return entries_ == other.entries_; }

std::string format_number(double x) {
  char buf[32];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, x);
    if (std::strtod(buf, nullptr) == x) break;
  }
  return buf;
}

const char* type_name(ValueType type) {
  switch (type) {
    case ValueType::null: return "null";
    case ValueType::boolean: return "boolean";
    case ValueType::integer: return "integer";
    case ValueType::real: return "number";
    case ValueType::string: return "string";
    case ValueType::list: return "list";
    case ValueType::dict: return "mapping";
  }
  return "?";
}

Value::Value(const std::vector<double>& v) {
  List l(v.begin(), v.end());
  data_ = std::move(l);
}

Value::Value(const std::vector<std::int64_t>& v) {
  List l;
  l.reserve(v.size());
  for (auto x : v) l.emplace_back(static_cast<long long>(x));
  data_ = std::move(l);
}

Value::Value(const std::vector<std::string>& v) {
  List l(v.begin(), v.end());
  data_ = std::move(l);
}

namespace {
[[noreturn]] void mismatch(const Value& v, const char* wanted) {
  throw UserError("expected " + std::string(wanted) + ", got " + type_name(v.type()) + " " + v.repr());
}
}  // namespace

bool Value::as_bool() const {
  if (!is_bool()) mismatch(*this, "a boolean");
  return std::get<bool>(data_);
}

std::int64_t Value::as_int() const {
  if (is_int()) return std::get<std::int64_t>(data_);
  if (is_real()) {
    double d = std::get<double>(data_);
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15) return static_cast<std::int64_t>(d);
  }
  mismatch(*this, "an integer");
}

double Value::as_double() const {
  if (is_real()) return std::get<double>(data_);
  if (is_int()) return static_cast<double>(std::get<std::int64_t>(data_));
  mismatch(*this, "a number");
}

const std::string& Value::as_string() const {
  if (!is_string()) mismatch(*this, "a string");
  return std::get<std::string>(data_);
}

const List& Value::as_list() const {
  if (!is_list()) mismatch(*this, "a list");
  return std::get<List>(data_);
}

List& Value::as_list() {
  if (!is_list()) mismatch(*this, "a list");
  return std::get<List>(data_);
}

const Dict& Value::as_dict() const {
  if (!is_dict()) mismatch(*this, "a mapping");
  return std::get<Dict>(data_);
}

Dict& Value::as_dict() {
  if (!is_dict()) mismatch(*this, "a mapping");
  return std::get<Dict>(data_);
}

std::vector<double> Value::as_double_vector() const {
  if (!is_list()) mismatch(*this, "a list of numbers");
  std::vector<double> out;
  out.reserve(as_list().size());
  for (const auto& v : as_list()) {
    if (!v.is_number()) mismatch(*this, "a list of numbers");
    out.push_back(v.as_double());
  }
  return out;
}

std::vector<std::int64_t> Value::as_int_vector() const {
  if (!is_list()) mismatch(*this, "a list of integers");
  std::vector<std::int64_t> out;
  out.reserve(as_list().size());
  for (const auto& v : as_list()) out.push_back(v.as_int());
  return out;
}

std::vector<std::string> Value::as_string_vector() const {
  if (!is_list()) mismatch(*this, "a list of strings");
  std::vector<std::string> out;
  out.reserve(as_list().size());
  for (const auto& v : as_list()) {
    if (!v.is_string()) mismatch(*this, "a list of strings");
    out.push_back(v.as_string());
  }
  return out;
}

std::string Value::repr() const {
  std::ostringstream os;
  switch (type()) {
    case ValueType::null: os << "null"; break;
    case ValueType::boolean: os << (as_bool() ? "true" : "false"); break;
    case ValueType::integer: os << std::get<std::int64_t>(data_); break;
    case ValueType::real: {
      const double d = std::get<double>(data_);
      os << format_number(d);
      if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e15) os << ".0";  // 1.0, not 1
      break;
    }
    case ValueType::string: os << "'" << std::get<std::string>(data_) << "'"; break;
    case ValueType::list: {
      const auto& l = std::get<List>(data_);
      os << "[";
      for (std::size_t i = 0; i < l.size(); ++i) {
        if (i == 6) {
          os << ", … (" << l.size() << " items)";
          break;
        }
        os << (i ? ", " : "") << l[i].repr();
      }
      os << "]";
      break;
    }
    case ValueType::dict: {
      os << "{";
      bool first = true;
      for (const auto& [k, v] : std::get<Dict>(data_)) {
        os << (first ? "" : ", ") << k << ": " << v.repr();
        first = false;
      }
      os << "}";
      break;
    }
  }
  return os.str();
}

}  // namespace nestling
