// Dynamically typed parameter values and ordered dictionaries.
//
// These carry parameters between the outside world (YAML trees, the C++ API) and the
// models, the way NEST's dictionaries do. Inside the engine, models hold plain doubles;
// a Value is converted once, when a parameter is set.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace nestling {

class Value;
using List = std::vector<Value>;

// An insertion-ordered string → Value map. Small (tens of entries), so lookup is linear.
class Dict {
 public:
  struct Entry;  // {first: key, second: value}; defined once Value is complete
  using const_iterator = std::vector<Entry>::const_iterator;

  // Special members are defined below, where Entry is complete (clang needs that).
  Dict();
  Dict(std::initializer_list<Entry> entries);
  Dict(const Dict& other);
  Dict(Dict&& other) noexcept;
  Dict& operator=(const Dict& other);
  Dict& operator=(Dict&& other) noexcept;
  ~Dict();

  bool contains(const std::string& key) const;
  const Value& at(const std::string& key) const;  // throws InternalError if absent
  const Value* find(const std::string& key) const;
  Value* find(const std::string& key);
  void set(const std::string& key, Value value);  // insert or replace, keeps position
  bool erase(const std::string& key);
  void merge_from(const Dict& other);  // other's entries win

  bool empty() const;
  std::size_t size() const;
  std::vector<std::string> keys() const;
  const_iterator begin() const;
  const_iterator end() const;

  bool operator==(const Dict& other) const;

 private:
  std::vector<Entry> entries_;
};

// A number as people write it in messages: 0.1, 2.5, 1e-05 (shortest form that reads back).
std::string format_number(double x);

enum class ValueType { null, boolean, integer, real, string, list, dict };
const char* type_name(ValueType type);

class Value {
 public:
  Value() = default;
  Value(std::nullptr_t) {}
  Value(bool b) : data_(b) {}
  Value(int i) : data_(static_cast<std::int64_t>(i)) {}
  Value(long i) : data_(static_cast<std::int64_t>(i)) {}
  Value(long long i) : data_(static_cast<std::int64_t>(i)) {}
  Value(unsigned long i) : data_(static_cast<std::int64_t>(i)) {}
  Value(double d) : data_(d) {}
  Value(const char* s) : data_(std::string(s)) {}
  Value(std::string s) : data_(std::move(s)) {}
  Value(List l) : data_(std::move(l)) {}
  Value(Dict d) : data_(std::move(d)) {}
  Value(const std::vector<double>& v);
  Value(const std::vector<std::int64_t>& v);
  Value(const std::vector<std::string>& v);

  ValueType type() const { return static_cast<ValueType>(data_.index()); }
  bool is_null() const { return type() == ValueType::null; }
  bool is_bool() const { return type() == ValueType::boolean; }
  bool is_int() const { return type() == ValueType::integer; }
  bool is_real() const { return type() == ValueType::real; }
  bool is_number() const { return is_int() || is_real(); }
  bool is_string() const { return type() == ValueType::string; }
  bool is_list() const { return type() == ValueType::list; }
  bool is_dict() const { return type() == ValueType::dict; }

  // Checked accessors: they throw TypeMismatch (a UserError without a path) when the
  // value has the wrong type. Numbers convert: an integer is accepted as a double.
  bool as_bool() const;
  std::int64_t as_int() const;  // a real with an integral value is accepted
  double as_double() const;
  const std::string& as_string() const;
  const List& as_list() const;
  List& as_list();
  const Dict& as_dict() const;
  Dict& as_dict();
  std::vector<double> as_double_vector() const;
  std::vector<std::int64_t> as_int_vector() const;
  std::vector<std::string> as_string_vector() const;

  // A short human-readable rendering for error messages ("[1, 2.5]", "'AMPA'").
  std::string repr() const;

  bool operator==(const Value& other) const { return data_ == other.data_; }

 private:
  std::variant<std::monostate, bool, std::int64_t, double, std::string, List, Dict> data_;
};

struct Dict::Entry {
  std::string first;
  Value second;
  bool operator==(const Entry& o) const { return first == o.first && second == o.second; }
};

inline Dict::Dict() = default;
inline Dict::Dict(const Dict& other) = default;
inline Dict::Dict(Dict&& other) noexcept = default;
inline Dict& Dict::operator=(const Dict& other) = default;
inline Dict& Dict::operator=(Dict&& other) noexcept = default;
inline Dict::~Dict() = default;
inline bool Dict::empty() const { return entries_.empty(); }
inline std::size_t Dict::size() const { return entries_.size(); }
inline Dict::const_iterator Dict::begin() const { return entries_.begin(); }
inline Dict::const_iterator Dict::end() const { return entries_.end(); }

}  // namespace nestling
