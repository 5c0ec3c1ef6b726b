// The scalar rules of io/yaml_writer.hpp: YAML 1.1 implicit resolution (PyYAML's resolver
// regular expressions, written as matchers) and Python's float repr.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>

#include "io/yaml_writer.hpp"

namespace nestling::io {

// ---------------------------------------------------------------------------------------------
// YAML 1.1 implicit resolution (the regular expressions of PyYAML's resolver, as matchers).

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_hex_digit(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// A cursor over the text; each matcher consumes and reports success.
struct Cursor {
  std::string_view s;
  std::size_t i = 0;
  bool done() const { return i == s.size(); }
  char peek() const { return i < s.size() ? s[i] : '\0'; }
  bool eat(char c) {
    if (peek() != c || done()) return false;
    ++i;
    return true;
  }
  void eat_sign() {
    if (peek() == '-' || peek() == '+') ++i;
  }
  // [0-9_]* (or any other class); returns the number of characters consumed.
  template <class Pred>
  std::size_t eat_while(Pred pred) {
    std::size_t start = i;
    while (!done() && pred(s[i])) ++i;
    return i - start;
  }
  std::size_t eat_digits_underscores() {
    return eat_while([](char c) { return is_digit(c) || c == '_'; });
  }
  // (?::[0-5]?[0-9])+ — the sexagesimal tail; greedy matching is exact here because what
  // follows a group is ':', '.' or the end.
  bool eat_sexagesimal_groups() {
    std::size_t groups = 0;
    while (eat(':')) {
      if (!is_digit(peek())) return false;
      char first = s[i++];
      if (first <= '5' && is_digit(peek())) ++i;
      ++groups;
    }
    return groups > 0;
  }
  bool eat_exponent() {  // (?:[eE][-+][0-9]+)?
    if (peek() != 'e' && peek() != 'E') return true;
    ++i;
    if (peek() != '-' && peek() != '+') return false;
    ++i;
    return eat_while(is_digit) > 0;
  }
};

bool matches_null(std::string_view s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

bool matches_bool(std::string_view s) {
  static constexpr std::string_view words[] = {"yes",   "Yes",   "YES",   "no", "No", "NO", "true", "True", "TRUE",
                                               "false", "False", "FALSE", "on", "On", "ON", "off",  "Off",  "OFF"};
  return std::find(std::begin(words), std::end(words), s) != std::end(words);
}

bool matches_float(std::string_view s) {
  {  // [-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)?
    Cursor c{s};
    c.eat_sign();
    if (is_digit(c.peek())) {
      c.eat_digits_underscores();
      if (c.eat('.')) {
        c.eat_digits_underscores();
        if (c.eat_exponent() && c.done()) return true;
      }
    }
  }
  {  // \.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
    Cursor c{s};
    if (c.eat('.') && is_digit(c.peek())) {
      c.eat_digits_underscores();
      if (c.eat_exponent() && c.done()) return true;
    }
  }
  {  // [-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
    Cursor c{s};
    c.eat_sign();
    if (is_digit(c.peek())) {
      c.eat_digits_underscores();
      if (c.eat_sexagesimal_groups() && c.eat('.')) {
        c.eat_digits_underscores();
        if (c.done()) return true;
      }
    }
  }
  std::string_view unsigned_part = s;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) unsigned_part.remove_prefix(1);
  if (unsigned_part == ".inf" || unsigned_part == ".Inf" || unsigned_part == ".INF") return true;
  return s == ".nan" || s == ".NaN" || s == ".NAN";
}

bool matches_int(std::string_view s) {
  Cursor c{s};
  c.eat_sign();
  std::size_t body = c.i;
  auto rest_all = [&](auto pred) {
    std::size_t n = c.eat_while(pred);
    return n > 0 && c.done();
  };
  if (c.eat('0')) {
    if (c.done()) return true;  // 0
    if (c.eat('b')) return rest_all([](char x) { return x == '0' || x == '1' || x == '_'; });
    if (c.eat('x')) return rest_all([](char x) { return is_hex_digit(x) || x == '_'; });
    return rest_all([](char x) { return (x >= '0' && x <= '7') || x == '_'; });  // octal
  }
  c.i = body;
  if (c.peek() < '1' || c.peek() > '9') return false;
  c.eat_digits_underscores();
  if (c.done()) return true;
  return c.eat_sexagesimal_groups() && c.done();
}

bool matches_timestamp(std::string_view s) {
  Cursor c{s};
  auto digits = [&](std::size_t min, std::size_t max) {
    std::size_t n = 0;
    while (n < max && is_digit(c.peek()) && !c.done()) ++c.i, ++n;
    return n >= min;
  };
  if (!digits(4, 4) || !c.eat('-')) return false;
  std::size_t after_year = c.i;
  if (digits(2, 2) && c.eat('-') && digits(2, 2) && c.done()) return true;  // 2001-12-14
  c.i = after_year;
  if (!digits(1, 2) || !c.eat('-') || !digits(1, 2)) return false;
  if (!c.eat('T') && !c.eat('t') && c.eat_while([](char x) { return x == ' ' || x == '\t'; }) == 0) return false;
  if (!digits(1, 2) || !c.eat(':') || !digits(2, 2) || !c.eat(':') || !digits(2, 2)) return false;
  if (c.eat('.')) c.eat_while(is_digit);
  if (c.done()) return true;
  c.eat_while([](char x) { return x == ' ' || x == '\t'; });
  if (c.eat('Z')) return c.done();
  if (!c.eat('-') && !c.eat('+')) return false;
  if (!digits(1, 2)) return false;
  if (c.eat(':') && !digits(2, 2)) return false;
  return c.done();
}

}  // namespace

PlainScalarType resolve_plain_scalar(std::string_view s) {
  // PyYAML picks its candidate resolvers by the first character, tried in registration order.
  if (matches_null(s)) return PlainScalarType::null;
  if (matches_bool(s)) return PlainScalarType::boolean;
  if (matches_float(s)) return PlainScalarType::real;
  if (matches_int(s)) return PlainScalarType::integer;
  if (s == "<<") return PlainScalarType::merge;
  if (matches_timestamp(s)) return PlainScalarType::timestamp;
  if (s == "=") return PlainScalarType::value;
  return PlainScalarType::string;
}

// ---------------------------------------------------------------------------------------------
// Floats.

std::string python_float_repr(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  if (x == 0.0) return std::signbit(x) ? "-0.0" : "0.0";
  char buf[64];
  // Shortest round-trip digits, as Python's repr (both pick the closest of equally short ones).
  auto res = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::scientific);
  std::string sci(buf, res.ptr);  // e.g. "-1.2345e-05"
  std::string out = sci[0] == '-' ? "-" : "";
  if (sci[0] == '-') sci.erase(0, 1);
  std::size_t e = sci.find('e');
  std::string digits = sci.substr(0, e);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  int exponent = std::stoi(sci.substr(e + 1));
  int decpt = exponent + 1;  // digits are 0.d1d2... × 10^decpt
  int n = static_cast<int>(digits.size());
  // Built by appending: GCC 12 warns falsely (-Wrestrict) on "." + std::string chains.
  if (decpt <= -4 || decpt > 16) {  // Python's repr switches to exponent notation here
    char exp_text[16];
    std::snprintf(exp_text, sizeof exp_text, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    out += digits[0];
    if (n > 1) out.append(".").append(digits, 1);
    out += exp_text;
  } else if (decpt <= 0) {
    out.append("0.").append(static_cast<std::size_t>(-decpt), '0').append(digits);
  } else if (decpt >= n) {
    out.append(digits).append(static_cast<std::size_t>(decpt - n), '0').append(".0");
  } else {
    out.append(digits, 0, static_cast<std::size_t>(decpt)).append(".").append(digits, static_cast<std::size_t>(decpt));
  }
  return out;
}

std::string yaml_float(double x) {
  if (std::isnan(x)) return ".nan";
  if (std::isinf(x)) return x > 0 ? ".inf" : "-.inf";
  std::string text = python_float_repr(x);
  // PyYAML's float regex needs a dot: repr '1e-05' becomes '1.0e-05'.
  if (text.find('.') == std::string::npos) {
    std::size_t e = text.find('e');
    if (e != std::string::npos) text.insert(e, ".0");
  }
  return text;
}

}  // namespace nestling::io
