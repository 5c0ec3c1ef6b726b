// YAML → Value with PyYAML safe_load's scalar resolution (frontend/yaml_values.hpp).
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "frontend/yaml_values.hpp"
#include "nestling/errors.hpp"

using nestling::Dict;
using nestling::List;
using nestling::UserError;
using nestling::Value;
using nestling::frontend::parse_yaml;
using nestling::frontend::resolve_plain_scalar;

namespace {

// The value of `a` in the one-line document "a: <text>".
Value value_of(const std::string& text) {
  return parse_yaml("a: " + text + "\n").as_dict().at("a");
}

std::string error_of(const std::string& yaml) {
  try {
    parse_yaml(yaml, "in.yml");
  } catch (const UserError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("plain scalars: null", "[yaml_values]") {
  for (const char* text : {"~", "null", "Null", "NULL", ""}) CHECK(value_of(text).is_null());
  for (const char* text : {"nULL", "none", "None", "nil"}) CHECK(value_of(text) == Value(text));
}

TEST_CASE("plain scalars: booleans in PyYAML's case variants", "[yaml_values]") {
  for (const char* text : {"yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"})
    CHECK(value_of(text) == Value(true));
  for (const char* text : {"no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"})
    CHECK(value_of(text) == Value(false));
  for (const char* text : {"yEs", "tRUE", "y", "n", "Y", "N", "oN"}) CHECK(value_of(text) == Value(text));
}

TEST_CASE("plain scalars: integers", "[yaml_values]") {
  CHECK(value_of("0") == Value(0));
  CHECK(value_of("-0") == Value(0));
  CHECK(value_of("42") == Value(42));
  CHECK(value_of("+42") == Value(42));
  CHECK(value_of("-17") == Value(-17));
  CHECK(value_of("1_000") == Value(1000));
  CHECK(value_of("1__0") == Value(10));
  CHECK(value_of("0x1F") == Value(31));
  CHECK(value_of("0x_1f") == Value(31));
  CHECK(value_of("-0x10") == Value(-16));
  CHECK(value_of("0b101") == Value(5));
  CHECK(value_of("017") == Value(15));  // a leading 0 means octal in YAML 1.1
  CHECK(value_of("0_") == Value(0));
  CHECK(value_of("1:30") == Value(90));  // sexagesimal
  CHECK(value_of("-1:0:0") == Value(-3600));
  CHECK(value_of("9223372036854775807") == Value(std::numeric_limits<long long>::max()));
  CHECK(value_of("-9223372036854775808") == Value(std::numeric_limits<long long>::min()));
  // Not integers for YAML 1.1: strings.
  for (const char* text : {"08", "0o17", "09:30", "1:60", "0xG", "1,000", "12abc", "1e3"})
    CHECK(value_of(text) == Value(text));
}

TEST_CASE("plain scalars: floats need a dot", "[yaml_values]") {
  CHECK(value_of("1.0") == Value(1.0));
  CHECK(value_of("1.") == Value(1.0));
  CHECK(value_of("-2.5") == Value(-2.5));
  CHECK(value_of("+2.5") == Value(2.5));
  CHECK(value_of(".5") == Value(0.5));
  CHECK(value_of("1_0.5") == Value(10.5));
  CHECK(value_of("1.0e+3") == Value(1000.0));
  CHECK(value_of("1.5E-3") == Value(0.0015));
  CHECK(value_of("1.e+3") == Value(1000.0));
  CHECK(value_of("190:20:30.15") == Value(685230.15));
  CHECK(value_of(".inf") == Value(std::numeric_limits<double>::infinity()));
  CHECK(value_of("-.Inf") == Value(-std::numeric_limits<double>::infinity()));
  CHECK(value_of("+.INF") == Value(std::numeric_limits<double>::infinity()));
  CHECK(std::isnan(value_of(".nan").as_double()));
  CHECK(std::isnan(value_of(".NaN").as_double()));
  // Strings for PyYAML: no dot, an unsigned exponent, a sign before a bare dot, odd cases.
  for (const char* text : {"1e3", "1.0e3", "1.0e-", "-.5", "._5", "-.nan", "inf", "nan", ".infinity", "1.0.0"})
    CHECK(value_of(text) == Value(text));
}

TEST_CASE("plain scalars: everything else is a string", "[yaml_values]") {
  CHECK(value_of("ht_neuron") == Value("ht_neuron"));
  CHECK(value_of("./data/outputs/output") == Value("./data/outputs/output"));
  CHECK(value_of("a b  c") == Value("a b  c"));
  CHECK(resolve_plain_scalar("l1_exc") == Value("l1_exc"));
  CHECK(resolve_plain_scalar("3") == Value(3));
}

TEST_CASE("quoted and block scalars are strings", "[yaml_values]") {
  CHECK(value_of("'1.0'") == Value("1.0"));
  CHECK(value_of("\"true\"") == Value("true"));
  CHECK(value_of("'null'") == Value("null"));
  CHECK(value_of("''") == Value(""));
  CHECK(value_of("\"~\"") == Value("~"));
  CHECK(parse_yaml("a: |\n  10\n").as_dict().at("a") == Value("10\n"));
  CHECK(parse_yaml("a: >-\n  yes\n").as_dict().at("a") == Value("yes"));
}

TEST_CASE("explicit tags are honoured", "[yaml_values]") {
  CHECK(value_of("!!str 10") == Value("10"));
  CHECK(value_of("!!str") == Value(""));
  CHECK(value_of("!!str yes") == Value("yes"));
  CHECK(value_of("!!int '10'") == Value(10));
  CHECK(value_of("!!int 0o17") == Value(15));  // Python's int(x, 8) accepts 0o
  CHECK(value_of("!!float 1") == Value(1.0));
  CHECK(value_of("!!float 1e3") == Value(1000.0));  // the constructor is laxer than the resolver
  CHECK(value_of("!!bool 'ON'") == Value(true));
  CHECK(value_of("!!null whatever").is_null());
  CHECK(value_of("!!seq [1, 2]") == Value(List{1, 2}));
  CHECK(value_of("!!map {b: 1}") == Value(Dict{{"b", 1}}));
}

TEST_CASE("tag errors", "[yaml_values]") {
  CHECK_THAT(
      error_of("a: !!python/tuple [1, 2]\n"),
      Catch::Contains("in.yml: a: Python tags such as !!python/tuple are not allowed") && Catch::Contains("line 1"));
  CHECK_THAT(error_of("a: !!python/none\n"), Catch::Contains("!!python/none"));
  CHECK(error_of("!!python/tuple [1]\n") ==
        "in.yml: Python tags such as !!python/tuple are not allowed in parameter files (PyYAML's safe loader "
        "rejects them too); write a list or a plain value instead (line 1)");
  CHECK_THAT(error_of("a: !foo x\n"), Catch::Contains("in.yml: a: unknown YAML tag !foo"));
  CHECK_THAT(error_of("a: !!set {x}\n"), Catch::Contains("!!set is not supported"));
  CHECK_THAT(error_of("a: !!int abc\n"), Catch::Contains("'abc' is not an integer"));
  CHECK_THAT(error_of("a: !!float x1\n"), Catch::Contains("'x1' is not a number"));
  CHECK_THAT(error_of("a: !!bool maybe\n"), Catch::Contains("'maybe' is not a boolean"));
  CHECK_THAT(error_of("a: !!map x\n"), Catch::Contains("!!map cannot tag a scalar"));
  CHECK_THAT(error_of("a: !!int [1]\n"), Catch::Contains("!!int cannot tag a list"));
}

TEST_CASE("values nestling cannot hold are errors", "[yaml_values]") {
  CHECK_THAT(error_of("a: 2001-12-14\n"), Catch::Contains("in.yml: a: '2001-12-14' is a date"));
  CHECK_THAT(error_of("a: 2001-12-14 21:59:43.10 -5\n"), Catch::Contains("is a date"));
  CHECK(value_of("'2001-12-14'") == Value("2001-12-14"));
  CHECK(value_of("2001-12-1") == Value("2001-12-1"));
  CHECK_THAT(error_of("a: =\n"), Catch::Contains("a bare '='"));
  CHECK_THAT(error_of("a: <<\n"), Catch::Contains("a bare '<<'"));
  CHECK_THAT(error_of("a: 0b_\n"), Catch::Contains("'0b_' is not an integer"));
  CHECK_THAT(error_of("a: 9223372036854775808\n"), Catch::Contains("out of range"));
  CHECK_THAT(error_of("a: 0x1_0000_0000_0000_0000\n"), Catch::Contains("out of range"));
}

TEST_CASE("mapping order is kept and keys become strings", "[yaml_values]") {
  Value v = parse_yaml("zeta: 1\nalpha: 2\n53: x\n0x10: y\n'7': z\n=: r2\n");
  CHECK(v.as_dict().keys() == std::vector<std::string>{"zeta", "alpha", "53", "16", "7", "="});
  CHECK(v.as_dict().at("=") == Value("r2"));
  CHECK(error_of("yes: 1\n") ==
        "in.yml: key 'yes' is read as a boolean by YAML 1.1; quote it ('yes') to use it as a name (line 1)");
  CHECK(error_of("a:\n  b:\n    Off: 1\n") ==
        "in.yml: a/b: key 'Off' is read as a boolean by YAML 1.1; quote it ('Off') to use it as a name (line 3)");
  CHECK_THAT(error_of("1.5: 1\n"), Catch::Contains("key '1.5' is read as a number"));
  CHECK_THAT(error_of("~: 1\n"), Catch::Contains("null"));
  CHECK_THAT(error_of("? [1]\n: 2\n"), Catch::Contains("a mapping key must be a name"));
}

TEST_CASE("duplicate keys are rejected with path and lines", "[yaml_values]") {
  CHECK(error_of("net:\n  l1:\n    rows: 1\n    rows: 2\n") ==
        "in.yml: net/l1/rows: duplicate key 'rows' in one mapping (first on line 3); remove one of them (line 4)");
  CHECK_THAT(error_of("a: {b: 1, b: 2}\n"), Catch::Contains("a/b: duplicate key 'b'"));
  CHECK_THAT(error_of("53: a\n0x35: b\n"), Catch::Contains("duplicate key '53'"));
}

TEST_CASE("anchors, aliases and merge keys", "[yaml_values]") {
  Value v = parse_yaml(
      "base: &base {x: 1, y: 2}\n"
      "other: &other {y: 20, z: 30}\n"
      "one: {<<: *base, y: 3}\n"
      "many: {<<: [*base, *other], w: 0}\n"
      "copy: *base\n");
  const Dict& d = v.as_dict();
  CHECK(d.at("one").as_dict() == Dict{{"x", 1}, {"y", 3}});
  // Earlier mappings in a merge list win; merged keys come first.
  CHECK(d.at("many").as_dict() == Dict{{"y", 2}, {"z", 30}, {"x", 1}, {"w", 0}});
  CHECK(d.at("copy") == d.at("base"));
  CHECK_THAT(error_of("a: {<<: 1}\n"), Catch::Contains("a merge key '<<' takes a mapping"));
}

TEST_CASE("documents: empty, several, malformed", "[yaml_values]") {
  CHECK(parse_yaml("").is_null());
  CHECK(parse_yaml("# only a comment\n").is_null());
  CHECK(parse_yaml("[1, 2.5, x]\n") == Value(List{1, 2.5, "x"}));
  CHECK_THAT(error_of("a: 1\n---\nb: 2\n"), Catch::Contains("in.yml: is not valid YAML, or holds several YAML documents"));
  CHECK_THAT(error_of("a: [1, 2\nb: 3\n"), Catch::StartsWith("in.yml: invalid YAML at line") &&
                                               Catch::Contains("column") && Catch::Contains("end of sequence"));
  CHECK_THAT(error_of("a:\n  - 1\n  b: 2\n"), Catch::Contains("invalid YAML at line"));
  CHECK_THAT(error_of("list:\n- 1\n- !!python/tuple [1]\n"), Catch::Contains("in.yml: list[1]: Python tags"));
}

TEST_CASE("reading a missing YAML file names it", "[yaml_values]") {
  try {
    nestling::frontend::read_yaml_file("/nonexistent/dir/file.yml");
    FAIL("no error");
  } catch (const UserError& e) {
    CHECK(std::string(e.what()) == "/nonexistent/dir/file.yml: no such file");
  }
}

TEST_CASE("escapes \\_ and \\N decode to UTF-8 (yaml-cpp writes single bytes) and reject control characters",
          "[yaml_values]") {
  CHECK(parse_yaml("\"a\\_b\"").as_string() == "a\xC2\xA0" "b");
  CHECK(parse_yaml("\"a\\Nb\"").as_string() == "a\xC2\x85" "b");
  CHECK(parse_yaml("\"\xC3\xA9\\_\"").as_string() == "\xC3\xA9\xC2\xA0");
  CHECK_THROWS_AS(parse_yaml("\"a\\x01b\""), UserError);
  CHECK_THROWS_AS(parse_yaml(std::string("a: 1\n\0", 6)), UserError);
  CHECK_THROWS_AS(parse_yaml(","), UserError);  // yaml-cpp 0.7's LoadAll would loop forever
}
