// The YAML writer against PyYAML's yaml.dump(default_flow_style=False): byte-identical output.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>

#include "frontend/params_tree.hpp"
#include "frontend/yaml_values.hpp"
#include "io/yaml_writer.hpp"
#include "nestling/errors.hpp"

using nestling::Dict;
using nestling::List;
using nestling::UserError;
using nestling::Value;
using nestling::io::dump_yaml;
using nestling::io::PlainScalarType;
using nestling::io::resolve_plain_scalar;
using nestling::io::YamlNode;

namespace fs = std::filesystem;

namespace {

const std::string kData = NESTLING_TEST_DATA;

std::string slurp(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  REQUIRE(in.good());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string unhex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return out;
}

// Rebuilds a structure from the encoding of tests/data/yaml_writer/generate_cases.py.
YamlNode decode(std::istream& in) {
  std::string token;
  in >> token;
  const char kind = token.at(0);
  const std::string rest = token.substr(1);
  switch (kind) {
    case 'N':
      return YamlNode();
    case 'B':
      return YamlNode(rest == "1");
    case 'I':
      return YamlNode(std::stoll(rest));
    case 'F': {
      std::uint64_t bits = std::stoull(rest, nullptr, 16);
      double d;
      std::memcpy(&d, &bits, sizeof d);
      return YamlNode(d);
    }
    case 'S':
      return YamlNode(unhex(rest));
    case 'L':
    case 'T': {
      std::vector<YamlNode> items;
      for (int i = 0, n = std::stoi(rest); i < n; ++i) items.push_back(decode(in));
      return kind == 'L' ? YamlNode::sequence(std::move(items)) : YamlNode::tuple(std::move(items));
    }
    case 'M': {
      YamlNode map = YamlNode::mapping();
      for (int i = 0, n = std::stoi(rest); i < n; ++i) {
        std::string key;
        in >> key;
        YamlNode value = decode(in);
        if (key.at(0) == 'I') {
          map.set(static_cast<std::int64_t>(std::stoll(key.substr(1))), std::move(value));
        } else {
          map.set(unhex(key.substr(1)), std::move(value));
        }
      }
      return map;
    }
    default:
      FAIL("bad token " << token);
  }
  return YamlNode();
}

std::vector<YamlNode> ints(std::initializer_list<long long> values) {
  std::vector<YamlNode> out;
  for (long long v : values) out.emplace_back(v);
  return out;
}

}  // namespace

TEST_CASE("YAML 1.1 plain scalar resolution", "[yaml_writer]") {
  CHECK(resolve_plain_scalar("") == PlainScalarType::null);
  CHECK(resolve_plain_scalar("~") == PlainScalarType::null);
  CHECK(resolve_plain_scalar("Null") == PlainScalarType::null);
  CHECK(resolve_plain_scalar("Yes") == PlainScalarType::boolean);
  CHECK(resolve_plain_scalar("OFF") == PlainScalarType::boolean);
  CHECK(resolve_plain_scalar("10") == PlainScalarType::integer);
  CHECK(resolve_plain_scalar("0b1_0") == PlainScalarType::integer);
  CHECK(resolve_plain_scalar("-0x1f") == PlainScalarType::integer);
  CHECK(resolve_plain_scalar("0777") == PlainScalarType::integer);
  CHECK(resolve_plain_scalar("12:34:56") == PlainScalarType::integer);
  CHECK(resolve_plain_scalar("1.0") == PlainScalarType::real);
  CHECK(resolve_plain_scalar("1.0e-05") == PlainScalarType::real);
  CHECK(resolve_plain_scalar(".inf") == PlainScalarType::real);
  CHECK(resolve_plain_scalar("-.INF") == PlainScalarType::real);
  CHECK(resolve_plain_scalar(".NaN") == PlainScalarType::real);
  CHECK(resolve_plain_scalar("1:20.5") == PlainScalarType::real);
  CHECK(resolve_plain_scalar("2001-12-14") == PlainScalarType::timestamp);
  CHECK(resolve_plain_scalar("2001-12-14T21:59:43.10Z") == PlainScalarType::timestamp);
  CHECK(resolve_plain_scalar("<<") == PlainScalarType::merge);
  CHECK(resolve_plain_scalar("=") == PlainScalarType::value);
  for (const char* s : {"1e3", "1.0e3", "-.5", "08", "0o7", "1:60", "nul", "yess", "2001-2-3", "abc", " 1"})
    CHECK(resolve_plain_scalar(s) == PlainScalarType::string);
}

TEST_CASE("floats are written as PyYAML writes Python floats", "[yaml_writer]") {
  using nestling::io::python_float_repr;
  using nestling::io::yaml_float;
  CHECK(python_float_repr(0.1) == "0.1");
  CHECK(python_float_repr(100.0) == "100.0");
  CHECK(python_float_repr(1e-5) == "1e-05");
  CHECK(python_float_repr(1e16) == "1e+16");
  CHECK(python_float_repr(1e15) == "1000000000000000.0");
  CHECK(python_float_repr(0.0001) == "0.0001");
  CHECK(python_float_repr(-2.5e-300) == "-2.5e-300");
  CHECK(python_float_repr(1.0 / 3) == "0.3333333333333333");
  CHECK(yaml_float(1e-5) == "1.0e-05");
  CHECK(yaml_float(1.5e-7) == "1.5e-07");
  CHECK(yaml_float(1e100) == "1.0e+100");
  CHECK(yaml_float(-0.0) == "-0.0");
  CHECK(yaml_float(std::numeric_limits<double>::infinity()) == ".inf");
  CHECK(yaml_float(-std::numeric_limits<double>::infinity()) == "-.inf");
  CHECK(yaml_float(std::nan("")) == ".nan");
}

TEST_CASE("basic layout", "[yaml_writer]") {
  YamlNode doc = YamlNode::mapping();
  doc.set("params", YamlNode::mapping());
  doc.set("list", YamlNode::sequence({1, "two", 3.0, nullptr, true}));
  doc.set("empty_list", YamlNode::sequence());
  doc.set("nested", YamlNode::mapping().set("k", "v").set("inner", YamlNode::sequence({YamlNode::sequence({1, 2})})));
  doc.set("items", YamlNode::sequence({YamlNode::mapping().set("a", 1).set("b", YamlNode::sequence({"x"}))}));
  doc.set("tuple", YamlNode::tuple({0.0, 100.0}));
  doc.set("empty_tuple", YamlNode::tuple());
  doc.set(53, YamlNode::tuple(ints({0, 1, 2})));
  doc.set("quoted", YamlNode::sequence({"null", "true", "1.0", "10", "", " x", "a: b", "it's", "line\nbreak"}));
  CHECK(dump_yaml(doc) ==
        "params: {}\n"
        "list:\n- 1\n- two\n- 3.0\n- null\n- true\n"
        "empty_list: []\n"
        "nested:\n  k: v\n  inner:\n  - - 1\n    - 2\n"
        "items:\n- a: 1\n  b:\n  - x\n"
        "tuple: !!python/tuple\n- 0.0\n- 100.0\n"
        "empty_tuple: !!python/tuple []\n"
        "53: !!python/tuple\n- 0\n- 1\n- 2\n"
        "quoted:\n- 'null'\n- 'true'\n- '1.0'\n- '10'\n- ''\n- ' x'\n- 'a: b'\n- it's\n- 'line\n\n  break'\n");
  CHECK(dump_yaml(YamlNode("text")) == "text\n...\n");
  CHECK(dump_yaml(YamlNode(1.5)) == "1.5\n...\n");
  CHECK(dump_yaml(YamlNode::mapping()) == "{}\n");
  CHECK(dump_yaml(YamlNode::tuple({1})) == "!!python/tuple\n- 1\n");
  CHECK(dump_yaml(YamlNode("caf\xC3\xA9")) == "\"caf\\xE9\"\n");
  CHECK_THROWS_AS(dump_yaml(YamlNode("bad \xFF byte")), UserError);
}

TEST_CASE("sorted keys: Python's order, mixed kinds keep insertion order", "[yaml_writer]") {
  YamlNode doc = YamlNode::mapping().set("b", 1).set("B", 2).set("a", YamlNode::mapping().set(100, 1).set(53, 2));
  CHECK(dump_yaml(doc, {.sort_keys = true}) == "B: 2\na:\n  53: 2\n  100: 1\nb: 1\n");
  YamlNode mixed = YamlNode::mapping().set("z", 1).set(3, 2);
  CHECK(dump_yaml(mixed, {.sort_keys = true}) == "z: 1\n3: 2\n");
}

TEST_CASE("Value converts to YAML", "[yaml_writer]") {
  Value v(Dict{{"a", List{1, 2.5, "x"}}, {"b", Dict{}}, {"c", Value()}});
  CHECK(dump_yaml(YamlNode(v)) == "a:\n- 1\n- 2.5\n- x\nb: {}\nc: null\n");
}

TEST_CASE("byte-identical to PyYAML on the generated corpus", "[yaml_writer]") {
  std::ifstream in(kData + "/yaml_writer/cases.txt");
  REQUIRE(in.good());
  std::string header, encoded, expected_hex;
  int count = 0;
  while (std::getline(in, header) && std::getline(in, encoded) && std::getline(in, expected_hex)) {
    ++count;
    std::istringstream encoded_stream(encoded);
    YamlNode node = decode(encoded_stream);
    const std::string got = dump_yaml(node, {.sort_keys = header == "CASE 1"});
    const std::string expected = unhex(expected_hex);
    INFO("case " << count << ": " << encoded.substr(0, 200));
    CHECK(got == expected);
  }
  CHECK(count > 400);
}

TEST_CASE("long and multi-line strings read back unchanged", "[yaml_writer]") {
  std::mt19937 rng(7);
  const std::string alphabet = "abc xyz  ':#-\n\t\"\\";
  for (int round = 0; round < 300; ++round) {
    std::string text;
    for (int i = 0, n = static_cast<int>(rng() % 400); i < n; ++i) text += alphabet[rng() % alphabet.size()];
    YamlNode doc = YamlNode::mapping().set("key", text).set("list", YamlNode::sequence({text}));
    const std::string yaml = dump_yaml(doc);
    INFO(yaml);
    Value back = nestling::frontend::parse_yaml(yaml);
    CHECK(back.as_dict().at("key") == Value(text));
    CHECK(back.as_dict().at("list") == Value(List{text}));
  }
}

TEST_CASE("parameter_tree.yml: read and written back byte for byte", "[yaml_writer]") {
  for (const char* name : {"denest_tutorial/output/parameter_tree.yml", "denest_example/output/parameter_tree.yml"}) {
    const std::string file = kData + "/" + name;
    INFO(file);
    CHECK(nestling::frontend::ParamsTree::read(file).to_yaml() == slurp(file));
  }
}

TEST_CASE("session_times.yml as deNEST writes it", "[yaml_writer]") {
  YamlNode times = YamlNode::mapping();
  // Insertion order differs from the file's: deNEST sorts the keys.
  times.set("03_3_spikes", YamlNode::tuple({300.0, 400.0}));
  times.set("00_warmup", YamlNode::tuple({0.0, 100.0}));
  times.set("02_2_spikes", YamlNode::tuple({200.0, 300.0}));
  times.set("01_3_spikes", YamlNode::tuple({100.0, 200.0}));
  CHECK(dump_yaml(times, {.sort_keys = true}) == slurp(kData + "/denest_tutorial/output/session_times.yml"));
}

TEST_CASE("recorder metadata as deNEST writes it", "[yaml_writer]") {
  const std::string dir = kData + "/denest_tutorial/output/data/";
  {  // A multimeter on l1_exc: 5x5 positions, 4 units each, GIDs 53..152.
    YamlNode gids = YamlNode::sequence();
    YamlNode locations = YamlNode::mapping();
    for (long long gid = 53; gid <= 152; ++gid) {
      long long index = gid - 53;
      gids.append(gid);
      locations.set(gid, YamlNode::tuple(ints({index % 5, (index / 5) % 5, index / 25})));
    }
    YamlNode meta = YamlNode::mapping();
    meta.set("type", "multimeter").set("label", "my_multimeter_l1_l1_exc");
    meta.set("colnames", YamlNode::sequence({"gid", "time", "V_m"}));
    meta.set("filenames", YamlNode::sequence({"my_multimeter_l1_l1_exc-203-0.dat"}));
    meta.set("gids", gids).set("locations", locations);
    meta.set("population_name", "l1_exc").set("layer_name", "l1");
    meta.set("layer_shape", YamlNode::tuple(ints({5, 5}))).set("population_shape", YamlNode::tuple(ints({5, 5, 4})));
    meta.set("units_number", 4).set("interval", 1.0).set("record_from", YamlNode::sequence({"V_m"}));
    CHECK(dump_yaml(meta, {.sort_keys = true}) == slurp(dir + "my_multimeter_l1_l1_exc.yml"));
  }
  {  // A weight recorder: colnames null.
    YamlNode meta = YamlNode::mapping();
    meta.set("type", "weight_recorder").set("label", "weight_recorder_proj_1_AMPA-l1-l1_exc-l1-l1_inh");
    meta.set("colnames", nullptr);
    meta.set("filenames", YamlNode::sequence({"weight_recorder_proj_1_AMPA-l1-l1_exc-l1-l1_inh-205-0.csv"}));
    meta.set("projection_name", "proj_1_AMPA-l1-l1_exc-l1-l1_inh");
    CHECK(dump_yaml(meta, {.sort_keys = true}) == slurp(dir + "weight_recorder_proj_1_AMPA-l1-l1_exc-l1-l1_inh.yml"));
  }
  {  // deNEST's example with 20 threads: zero-padded virtual-process numbers.
    const std::string label = "weight_recorder_horizontal_exc-l1-l1_exc-l1-l1_exc";
    YamlNode files = YamlNode::sequence();
    for (int vp = 0; vp < 20; ++vp) files.append(label + "-213-" + (vp < 10 ? "0" : "") + std::to_string(vp) + ".csv");
    YamlNode meta = YamlNode::mapping();
    meta.set("type", "weight_recorder").set("label", label).set("colnames", nullptr).set("filenames", files);
    meta.set("projection_name", "horizontal_exc-l1-l1_exc-l1-l1_exc");
    CHECK(dump_yaml(meta, {.sort_keys = true}) == slurp(kData + "/denest_example/output/data/" + label + ".yml"));
  }
}

TEST_CASE("write_yaml_file writes whole files", "[yaml_writer]") {
  const fs::path dir = fs::temp_directory_path() / ("nestling_yaml_writer_" + std::to_string(std::random_device{}()));
  fs::create_directories(dir);
  const std::string file = (dir / "out.yml").string();
  nestling::io::write_yaml_file(file, YamlNode::mapping().set("a", 1));
  CHECK(slurp(file) == "a: 1\n");
  nestling::io::write_yaml_file(file, YamlNode::mapping().set("b", 2));
  CHECK(slurp(file) == "b: 2\n");
  CHECK(!fs::exists(file + ".tmp"));
  const std::string bad = (dir / "missing" / "out.yml").string();
  CHECK_THROWS_WITH(nestling::io::write_yaml_file(bad, YamlNode()),
                    bad + ": cannot open for writing: No such file or directory");
  fs::remove_all(dir);
}
