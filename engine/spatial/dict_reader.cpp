#include "engine/spatial/dict_reader.hpp"

#include <charconv>

#include "engine/suggest.hpp"

namespace nestling::spatial {

std::string join_path(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "/" + key;
}

std::string format_number(double x) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, r.ptr);
}

namespace {
// Value's accessors throw path-less UserErrors; give them the path.
template <class F>
auto with_path(const std::string& path, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const UserError& e) {
    if (!e.path().empty()) throw;
    throw UserError(path, e.message());
  }
}
}  // namespace

double read_double(const Value& v, const std::string& path) {
  if (v.is_bool()) throw UserError(path, "expected a number, got boolean " + v.repr());
  const double x = with_path(path, [&] { return v.as_double(); });
  if (std::isnan(x)) throw UserError(path, "must be a number, got NaN");
  return x;
}

long read_int(const Value& v, const std::string& path) {
  return static_cast<long>(with_path(path, [&] { return v.as_int(); }));
}

bool read_bool(const Value& v, const std::string& path) {
  return with_path(path, [&] { return v.as_bool(); });
}

const std::string& read_string(const Value& v, const std::string& path) {
  return with_path(path, [&]() -> const std::string& { return v.as_string(); });
}

const Dict& read_dict(const Value& v, const std::string& path) {
  return with_path(path, [&]() -> const Dict& { return v.as_dict(); });
}

Vec2 read_point(const Value& v, const std::string& path) {
  if (!v.is_list() || v.as_list().size() != 2)
    throw UserError(path, "expected a list of two numbers [x, y], got " + v.repr());
  return {read_double(v.as_list()[0], path + "[0]"), read_double(v.as_list()[1], path + "[1]")};
}

void reject_unknown(const Dict& d, std::initializer_list<const char*> valid, const std::string& path,
                    const std::string& what) {
  for (const auto& [key, value] : d) {
    bool known = false;
    for (const char* v : valid) known = known || key == v;
    if (known) continue;
    std::string list;
    for (const char* v : valid) list += (list.empty() ? "" : ", ") + std::string(v);
    throw UserError(join_path(path, key), "unknown " + what + " parameter" +
                                              did_you_mean(key, std::vector<std::string>(valid.begin(), valid.end())) +
                                              "; valid: " + list);
  }
}

}  // namespace nestling::spatial
