#include "frontend/yaml_values.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

#include "io/utf8.hpp"
#include "io/yaml_writer.hpp"
#include "nestling/errors.hpp"

namespace nestling::frontend {

namespace {

constexpr const char* kCoreTagPrefix = "tag:yaml.org,2002:";
constexpr int kMaxDepth = 256;
// Aliases let a few lines stand for exponentially many values ("billion laughs"); a tree with
// more values than this is refused rather than expanded.
constexpr std::size_t kMaxValues = 4'000'000;

std::string without_underscores(const std::string& text) {
  std::string s = text;
  s.erase(std::remove(s.begin(), s.end(), '_'), s.end());
  return s;
}

enum class Digits { ok, invalid, overflow };

// Parses the digits of `s` in `base` (no sign) into a 64-bit magnitude.
Digits parse_magnitude(std::string_view s, int base, std::uint64_t& out) {
  if (s.empty()) return Digits::invalid;
  auto res = std::from_chars(s.data(), s.data() + s.size(), out, base);
  if (res.ptr != s.data() + s.size()) return Digits::invalid;
  if (res.ec == std::errc::result_out_of_range) return Digits::overflow;
  return res.ec == std::errc() ? Digits::ok : Digits::invalid;
}

// PyYAML's construct_yaml_int; also used for explicit !!int scalars.
Value construct_int(const std::string& text) {
  std::string s = without_underscores(text);
  bool negative = !s.empty() && s[0] == '-';
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.erase(0, 1);
  std::string_view digits(s);
  std::uint64_t magnitude = 0;
  Digits result = Digits::ok;
  if (s == "0") {
    magnitude = 0;
  } else if (s.rfind("0b", 0) == 0) {
    result = parse_magnitude(digits.substr(2), 2, magnitude);
  } else if (s.rfind("0x", 0) == 0) {
    result = parse_magnitude(digits.substr(2), 16, magnitude);
  } else if (!s.empty() && s[0] == '0') {
    // Python's int(s, 8) also accepts a 0o prefix (only reachable through !!int).
    result = parse_magnitude(s.rfind("0o", 0) == 0 ? digits.substr(2) : digits, 8, magnitude);
  } else if (s.find(':') != std::string::npos) {  // sexagesimal: 1:30 is 90
    std::stringstream parts(s);
    std::string part;
    while (result == Digits::ok && std::getline(parts, part, ':')) {
      std::uint64_t digit = 0;
      result = parse_magnitude(part, 10, digit);
      if (result == Digits::ok && (__builtin_mul_overflow(magnitude, std::uint64_t{60}, &magnitude) ||
                                   __builtin_add_overflow(magnitude, digit, &magnitude)))
        result = Digits::overflow;
    }
  } else {
    result = parse_magnitude(digits, 10, magnitude);
  }
  const std::uint64_t limit = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) + (negative ? 1 : 0);
  if (result == Digits::overflow || (result == Digits::ok && magnitude > limit))
    throw UserError("integer " + text + " is out of range (nestling holds 64-bit integers)");
  if (result == Digits::invalid) throw UserError("'" + text + "' is not an integer");
  if (negative) return Value(static_cast<long long>(0 - magnitude));
  return Value(static_cast<long long>(magnitude));
}

double parse_double(const std::string& s, const std::string& text) {
  double d = 0;
  auto res = std::from_chars(s.data(), s.data() + s.size(), d);
  if (s.empty() || res.ptr != s.data() + s.size() ||
      (res.ec != std::errc() && res.ec != std::errc::result_out_of_range))
    throw UserError("'" + text + "' is not a number");
  return d;
}

// PyYAML's construct_yaml_float; also used for explicit !!float scalars.
Value construct_float(const std::string& text) {
  std::string s = without_underscores(text);
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  double sign = !s.empty() && s[0] == '-' ? -1.0 : 1.0;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.erase(0, 1);
  if (s == ".inf") return Value(sign * std::numeric_limits<double>::infinity());
  if (s == ".nan") return Value(std::numeric_limits<double>::quiet_NaN());
  if (s.find(':') != std::string::npos) {  // sexagesimal: 1:30.5 is 90.5
    std::stringstream parts(s);
    std::string part;
    std::vector<double> digits;
    while (std::getline(parts, part, ':')) digits.push_back(parse_double(part, text));
    double value = 0, base = 1;  // summed from the last part, in PyYAML's order
    for (auto it = digits.rbegin(); it != digits.rend(); ++it, base *= 60) value += *it * base;
    return Value(sign * value);
  }
  return Value(sign * parse_double(s, text));
}

Value construct_bool(const std::string& text) {
  std::string lower = text;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "yes" || lower == "true" || lower == "on") return Value(true);
  if (lower == "no" || lower == "false" || lower == "off") return Value(false);
  throw UserError("'" + text + "' is not a boolean (yes/no, true/false, on/off)");
}

std::string short_tag(const std::string& tag) {
  if (tag.rfind(kCoreTagPrefix, 0) == 0) return "!!" + tag.substr(std::strlen(kCoreTagPrefix));
  if (!tag.empty() && tag[0] == '!') return tag;
  return "!<" + tag + ">";
}

[[noreturn]] void unsupported_tag(const std::string& tag) {
  std::string name = short_tag(tag);
  if (name.rfind("!!python/", 0) == 0)
    throw UserError("Python tags such as " + name +
                    " are not allowed in parameter files (PyYAML's safe loader rejects them too); write a list "
                    "or a plain value instead");
  static const char* core_unsupported[] = {"!!binary", "!!timestamp", "!!set",   "!!omap",
                                           "!!pairs",  "!!value",     "!!merge", "!!yaml"};
  for (const char* known : core_unsupported)
    if (name == known) throw UserError("the YAML tag " + name + " is not supported in parameter files");
  throw UserError("unknown YAML tag " + name);
}

// The Value of a scalar with yaml-cpp tag `tag` ("?" plain, "!" quoted or block, else explicit).
Value convert_scalar(const std::string& tag, const std::string& text) {
  if (tag == "?") {
    switch (io::resolve_plain_scalar(text)) {
      case io::PlainScalarType::null:
        return Value();
      case io::PlainScalarType::boolean:
        return construct_bool(text);
      case io::PlainScalarType::integer:
        return construct_int(text);
      case io::PlainScalarType::real:
        return construct_float(text);
      case io::PlainScalarType::timestamp:
        throw UserError("'" + text +
                        "' is a date (a YAML timestamp), which parameter files cannot hold; quote it to make it "
                        "a string");
      case io::PlainScalarType::merge:
      case io::PlainScalarType::value:
        throw UserError("a bare '" + text + "' has a special meaning in YAML 1.1; quote it to make it a string");
      case io::PlainScalarType::string:
        return Value(text);
    }
  }
  if (tag == "!" || tag.empty()) return Value(text);  // quoted or block scalar
  if (tag.rfind(kCoreTagPrefix, 0) == 0) {
    std::string name = tag.substr(std::strlen(kCoreTagPrefix));
    if (name == "str") return Value(text);
    if (name == "null") return Value();
    if (name == "bool") return construct_bool(text);
    if (name == "int") return construct_int(text);
    if (name == "float") return construct_float(text);
    if (name == "seq" || name == "map") throw UserError(short_tag(tag) + " cannot tag a scalar");
  }
  unsupported_tag(tag);
}

// Throws a UserError at `path`, giving the node's line.
[[noreturn]] void fail(const YAML::Node& node, const std::string& path, const std::string& message) {
  std::string where = node.Mark().is_null() ? "" : " (line " + std::to_string(node.Mark().line + 1) + ")";
  throw UserError(path, message + where);
}

// Runs `f`, giving a UserError it throws the node's path and line.
template <class F>
auto at_node(const YAML::Node& node, const std::string& path, F&& f) {
  try {
    return f();
  } catch (const UserError& e) {
    fail(node, path, e.message());
  }
}

// Position (1-based line and column) of the first byte that is not valid UTF-8, or 0 if all is.
std::pair<int, int> invalid_utf8_at(const std::string& text) {
  int line = 1, column = 1;
  for (std::size_t i = 0; i < text.size();) {
    const auto [cp, n, valid] = io::decode_utf8_at(text, i);
    if (!valid) return {line, column};
    // Characters YAML does not allow in a stream (PyYAML rejects them too; yaml-cpp 0.7 can hang
    // on a NUL byte).
    const bool printable = cp == 0x09 || cp == 0x0A || cp == 0x0D || (cp >= 0x20 && cp <= 0x7E) || cp == 0x85 ||
                           (cp >= 0xA0 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) || cp >= 0x10000;
    if (!printable) return {line, column};
    if (cp == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
    i += n;
  }
  return {0, 0};
}

// yaml-cpp 0.7 decodes the double-quoted escapes \N and \_ to the single bytes 0x85 and 0xA0
// instead of the UTF-8 of U+0085 and U+00A0 (PyYAML writes NBSP as \_). The input was checked to
// be UTF-8, so such a byte standing alone can only come from those escapes: encode it properly.
std::string repair_escapes(const std::string& text) {
  std::string out;
  out.reserve(text.size() + 4);
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    const io::Utf8Char decoded = io::decode_utf8_at(text, i);
    if (decoded.length == 1 && (c == 0x85 || c == 0xA0)) {
      out += '\xC2';
      out += static_cast<char>(c);
    } else {
      out.append(text, i, decoded.length);
    }
    i += decoded.length;
  }
  return out;
}

// Converts one yaml-cpp node; errors carry the path inside the document and the line.
class Converter {
 public:
  Value convert(const YAML::Node& node, const std::string& path, int depth) {
    if (depth > kMaxDepth) fail(node, path, "nesting is too deep (a recursive alias?)");
    if (++values_ > kMaxValues)
      fail(node, path, "holds more than " + std::to_string(kMaxValues) + " values once aliases are expanded");
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        return Value();
      case YAML::NodeType::Scalar: {
        // escapes such as "\uD800" can decode to bytes that are not UTF-8
        const std::string text = repair_escapes(node.Scalar());
        if (invalid_utf8_at(text).first > 0) fail(node, path, "is not valid UTF-8 text or holds a control character");
        return at_node(node, path, [&] { return convert_scalar(node.Tag(), text); });
      }
      case YAML::NodeType::Sequence:
        return convert_sequence(node, path, depth);
      case YAML::NodeType::Map:
        return Value(convert_map(node, path, depth));
    }
    return Value();
  }

 private:
  static void check_collection_tag(const std::string& tag, const char* core_name) {
    if (tag.empty() || tag == "?" || tag == "!" || tag == std::string(kCoreTagPrefix) + core_name) return;
    if (tag == std::string(kCoreTagPrefix) + "seq" || tag == std::string(kCoreTagPrefix) + "map" ||
        tag == std::string(kCoreTagPrefix) + "str" || tag == std::string(kCoreTagPrefix) + "int" ||
        tag == std::string(kCoreTagPrefix) + "float" || tag == std::string(kCoreTagPrefix) + "bool" ||
        tag == std::string(kCoreTagPrefix) + "null")
      throw UserError(short_tag(tag) + " cannot tag a " + (std::string(core_name) == "seq" ? "list" : "mapping"));
    unsupported_tag(tag);
  }

  Value convert_sequence(const YAML::Node& node, const std::string& path, int depth) {
    at_node(node, path, [&] { check_collection_tag(node.Tag(), "seq"); });
    List list;
    std::size_t index = 0;
    for (const auto& item : node) list.push_back(convert(item, path + "[" + std::to_string(index++) + "]", depth + 1));
    return Value(std::move(list));
  }

  // A mapping key as nestling stores it: a string.
  static std::string convert_key(const YAML::Node& key, const std::string& path) {
    if (key.Type() == YAML::NodeType::Sequence || key.Type() == YAML::NodeType::Map)
      fail(key, path, "a mapping key must be a name, not a list or a mapping");
    if (key.Type() != YAML::NodeType::Scalar) fail(key, path, "empty (null) mapping key; quote it if you mean ''");
    const std::string text = repair_escapes(key.Scalar());
    if (invalid_utf8_at(text).first > 0) fail(key, path, "a mapping key is not valid UTF-8 text or holds a control character");
    if (key.Tag() == "?" && text == "=") return text;  // PyYAML turns a '=' key into a string
    Value value;
    try {
      value = convert_scalar(key.Tag(), text);
    } catch (const UserError& e) {
      fail(key, path, "key '" + text + "': " + e.message());
    }
    if (value.is_string()) return value.as_string();
    if (value.is_int()) return std::to_string(value.as_int());
    fail(key, path,
         "key '" + text + "' is read as a " + type_name(value.type()) + " by YAML 1.1; quote it ('" + text +
             "') to use it as a name");
  }

  Dict convert_map(const YAML::Node& node, const std::string& path, int depth) {
    at_node(node, path, [&] { check_collection_tag(node.Tag(), "map"); });
    std::vector<Dict::Entry> merged;  // entries brought in by merge keys, in PyYAML's order
    std::vector<Dict::Entry> own;
    std::map<std::string, int> seen_on_line;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const YAML::Node key = it->first;  // copies: the iterator hands out a temporary pair
      const YAML::Node value = it->second;
      if (key.Type() == YAML::NodeType::Scalar && key.Tag() == "?" && key.Scalar() == "<<") {
        add_merge(value, path, depth, merged);
        continue;
      }
      std::string name = convert_key(key, path);
      std::string child_path = path.empty() ? name : path + "/" + name;
      int line = key.Mark().line + 1;
      auto [previous, inserted] = seen_on_line.emplace(name, line);
      if (!inserted)
        fail(key, child_path,
             "duplicate key '" + name + "' in one mapping (first on line " + std::to_string(previous->second) +
                 "); remove one of them");
      own.push_back({name, convert(value, child_path, depth + 1)});
    }
    // Later entries win, earlier positions stay (a Python dict built in this order).
    Dict dict;
    for (auto& entry : merged) dict.set(entry.first, std::move(entry.second));
    for (auto& entry : own) dict.set(entry.first, std::move(entry.second));
    return dict;
  }

  void add_merge(const YAML::Node& value, const std::string& path, int depth, std::vector<Dict::Entry>& merged) {
    auto append = [&](const YAML::Node& mapping) {
      for (const auto& entry : convert_map(mapping, path, depth + 1)) merged.push_back(entry);
    };
    if (value.IsMap()) {
      append(value);
    } else if (value.IsSequence()) {
      // PyYAML merges a list of mappings so that the earliest mapping wins.
      std::vector<YAML::Node> sources(value.begin(), value.end());
      for (auto it = sources.rbegin(); it != sources.rend(); ++it) {
        if (!it->IsMap()) fail(*it, path, "a merge key '<<' takes a mapping or a list of mappings");
        append(*it);
      }
    } else {
      fail(value, path, "a merge key '<<' takes a mapping or a list of mappings");
    }
  }

  std::size_t values_ = 0;  // values converted so far
};

}  // namespace

Value resolve_plain_scalar(const std::string& text) {
  return convert_scalar("?", text);
}


namespace {
// Counts documents without building them.
class DocumentCounter final : public YAML::EventHandler {
 public:
  int documents = 0;
  void OnDocumentStart(const YAML::Mark&) override { ++documents; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

// The documents of `text`, at most two (a parameter file holds one). yaml-cpp 0.7's LoadAll
// loops forever on some broken input (a lone ','; yaml-cpp issue 1040), so documents are
// counted with a bounded loop and only the first is built.
std::vector<YAML::Node> load_documents(const std::string& text) {
  std::stringstream in(text);
  YAML::Parser parser(in);
  DocumentCounter counter;
  for (int i = 0; i < 2 && parser.HandleNextDocument(counter); ++i) {
  }
  std::vector<YAML::Node> docs;
  if (counter.documents == 0) return docs;
  docs.push_back(YAML::Load(text));
  if (counter.documents > 1) docs.push_back(YAML::Node());
  return docs;
}
}  // namespace

Value parse_yaml(const std::string& text, const std::string& source) {
  if (auto [line, column] = invalid_utf8_at(text); line > 0)
    throw UserError("", "invalid YAML at line " + std::to_string(line) + ", column " + std::to_string(column) +
                            ": not UTF-8 text, or a character YAML does not allow (such as a NUL byte)")
        .with_file(source);
  std::vector<YAML::Node> documents;
  try {
    documents = load_documents(text);
  } catch (const YAML::Exception& e) {
    std::string where = e.mark.is_null() ? ""
                                         : " at line " + std::to_string(e.mark.line + 1) + ", column " +
                                               std::to_string(e.mark.column + 1);
    throw UserError("", "invalid YAML" + where + ": " + e.msg).with_file(source);
  }
  if (documents.size() > 1)
    throw UserError("", "is not valid YAML, or holds several YAML documents (separated by ---); a parameter file "
                        "holds one mapping")
        .with_file(source);
  if (documents.empty()) return Value();
  try {
    return Converter().convert(documents.front(), "", 0);
  } catch (const UserError& e) {
    throw e.with_file(source);
  }
}

Value read_yaml_file(const std::string& file) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) throw UserError("", "no such file").with_file(file);
  if (std::filesystem::is_directory(file, ec)) throw UserError("", "is a directory, not a YAML file").with_file(file);
  // FIFOs, devices and the like could block or never end.
  if (!std::filesystem::is_regular_file(file, ec)) throw UserError("", "is not a regular file").with_file(file);
  if (std::filesystem::file_size(file, ec) > (std::uintmax_t{256} << 20))
    throw UserError("", "is larger than 256 MiB; parameter files are small (put arrays in .npy files)").with_file(file);
  std::ifstream in(file, std::ios::binary);
  if (!in) throw UserError("", std::string("cannot read: ") + std::strerror(errno)).with_file(file);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw UserError("", "cannot read").with_file(file);
  return parse_yaml(text.str(), file);
}

}  // namespace nestling::frontend
