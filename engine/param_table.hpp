// Parameter tables: one per model, listing every parameter with unit, default and constraint.
//
// A table binds names to fields of the model's plain `Parameters` (or `State`) struct, so the
// same table drives validation, get/set status, `nestling models` and the documentation.
#pragma once

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "nestling/errors.hpp"
#include "nestling/value.hpp"

namespace nestling {

enum class ParamKind { real, integer, boolean, real_list, string, string_list, any };
const char* kind_name(ParamKind kind);

enum class Check { any, positive, non_negative, unit_interval, at_least_one };
const char* check_text(Check check);

// What a parameter is, independent of any model instance.
struct ParamSpec {
  std::string name;
  ParamKind kind = ParamKind::real;
  std::string unit;  // "mV", "ms", "pA", "" for dimensionless
  Check check = Check::any;
  std::string doc;
  bool read_only = false;  // reported by get_status, rejected by set_status
  bool is_state = false;   // a state variable (V_m): settable, reset by reset_network
  bool write_only = false; // an action flag (equilibrate): accepted, never reported
};

// Checks a value against a simple constraint; throws UserError naming `path`.
void check_value(const std::string& path, Check check, double value);

// Binds ParamSpecs to members of a struct S. Models build one static binder per struct.
template <class S>
class ParamBinder {
 public:
  struct Field {
    ParamSpec spec;
    std::function<void(S&, const Value&, const std::string& path)> set;
    std::function<Value(const S&)> get;
  };

  ParamBinder& real(const std::string& name, double S::*member, const std::string& unit, Check check,
                    const std::string& doc) {
    Field f;
    f.spec = {name, ParamKind::real, unit, check, doc};
    f.set = [member, check](S& s, const Value& v, const std::string& path) {
      const double x = v.as_double();
      if (std::isnan(x)) throw UserError(path, "must be a number, got NaN");
      check_value(path, check, x);
      s.*member = x;
    };
    f.get = [member](const S& s) { return Value(s.*member); };
    fields_.push_back(std::move(f));
    return *this;
  }

  ParamBinder& integer(const std::string& name, long S::*member, const std::string& unit, Check check,
                       const std::string& doc) {
    Field f;
    f.spec = {name, ParamKind::integer, unit, check, doc};
    f.set = [member, check](S& s, const Value& v, const std::string& path) {
      const auto x = v.as_int();
      check_value(path, check, static_cast<double>(x));
      s.*member = static_cast<long>(x);
    };
    f.get = [member](const S& s) { return Value(static_cast<long long>(s.*member)); };
    fields_.push_back(std::move(f));
    return *this;
  }

  ParamBinder& boolean(const std::string& name, bool S::*member, const std::string& doc) {
    Field f;
    f.spec = {name, ParamKind::boolean, "", Check::any, doc};
    f.set = [member](S& s, const Value& v, const std::string&) { s.*member = v.as_bool(); };
    f.get = [member](const S& s) { return Value(s.*member); };
    fields_.push_back(std::move(f));
    return *this;
  }

  ParamBinder& real_list(const std::string& name, std::vector<double> S::*member, const std::string& unit,
                         const std::string& doc) {
    Field f;
    f.spec = {name, ParamKind::real_list, unit, Check::any, doc};
    f.set = [member](S& s, const Value& v, const std::string& path) {
      auto x = v.as_double_vector();
      for (double e : x)
        if (!std::isfinite(e)) throw UserError(path, "must contain finite numbers only");
      s.*member = std::move(x);
    };
    f.get = [member](const S& s) { return Value(s.*member); };
    fields_.push_back(std::move(f));
    return *this;
  }

  ParamBinder& string(const std::string& name, std::string S::*member, const std::string& doc) {
    Field f;
    f.spec = {name, ParamKind::string, "", Check::any, doc};
    f.set = [member](S& s, const Value& v, const std::string&) { s.*member = v.as_string(); };
    f.get = [member](const S& s) { return Value(s.*member); };
    fields_.push_back(std::move(f));
    return *this;
  }

  // A field with hand-written conversion (lists of strings, enum-like values, aliases).
  ParamBinder& custom(ParamSpec spec, std::function<void(S&, const Value&, const std::string&)> set,
                      std::function<Value(const S&)> get) {
    fields_.push_back({std::move(spec), std::move(set), std::move(get)});
    return *this;
  }

  // Marks the most recently added field.
  ParamBinder& state() {
    fields_.back().spec.is_state = true;
    return *this;
  }
  ParamBinder& read_only() {
    fields_.back().spec.read_only = true;
    return *this;
  }

  const Field* field(const std::string& name) const {
    for (const auto& f : fields_)
      if (f.spec.name == name) return &f;
    return nullptr;
  }

  std::vector<ParamSpec> specs() const {
    std::vector<ParamSpec> out;
    for (const auto& f : fields_) out.push_back(f.spec);
    return out;
  }

  // Applies every entry of `d` that this binder knows; returns true for each consumed key
  // via `consumed`. Values are converted and checked; `where` prefixes error paths.
  void apply(S& s, const Dict& d, const std::string& where, std::vector<std::string>* consumed) const {
    for (const auto& [key, value] : d) {
      const Field* f = field(key);
      if (!f) continue;
      const std::string path = where.empty() ? key : where + "/" + key;
      if (f->spec.read_only) throw UserError(path, "is read-only");
      try {
        f->set(s, value, path);
      } catch (const UserError& e) {
        if (e.path().empty()) throw UserError(path, e.message());
        throw;
      }
      if (consumed) consumed->push_back(key);
    }
  }

  void report(const S& s, Dict& out) const {
    for (const auto& f : fields_)
      if (!f.spec.write_only) out.set(f.spec.name, f.get(s));
  }

 private:
  std::vector<Field> fields_;
};

// Throws the standard "unknown parameter" error listing the valid names.
[[noreturn]] void throw_unknown_parameter(const std::string& model, const std::string& key,
                                          const std::vector<ParamSpec>& valid);

// Raises the unknown-parameter error for the first key of `d` not in `consumed`.
void reject_unconsumed(const std::string& model, const Dict& d, const std::vector<std::string>& consumed,
                       const std::vector<ParamSpec>& valid);

// Applies `d` to a copy of `p` with `binder`, rejects unknown keys, then commits.
template <class S>
void apply_parameters(const ParamBinder<S>& binder, S& p, const Dict& d, const std::string& model) {
  S next = p;
  std::vector<std::string> consumed;
  binder.apply(next, d, "", &consumed);
  reject_unconsumed(model, d, consumed, binder.specs());
  p = std::move(next);
}

template <class S>
Dict describe_parameters(const ParamBinder<S>& binder, const S& p) {
  Dict d;
  binder.report(p, d);
  return d;
}

}  // namespace nestling
