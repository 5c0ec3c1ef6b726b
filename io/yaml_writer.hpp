// A YAML writer whose output is byte-identical to PyYAML's
// `yaml.dump(data, default_flow_style=False)` (the default, non-safe dumper) for the data
// deNEST writes: parameter_tree.yml, session_times.yml and recorder metadata.
//
// Input model: a YamlNode is a scalar (null, bool, int, float, string), a sequence (a Python
// list), a tuple (a Python tuple: written with the `!!python/tuple` tag) or a mapping whose
// keys are strings or integers (a Python dict; keys keep insertion order unless
// YamlDumpOptions::sort_keys). Any nestling::Value converts to a YamlNode (lists become
// sequences, dicts mappings with string keys).
//
// What PyYAML does that this writer reproduces: block style everywhere except empty
// collections (`{}`, `[]`, `!!python/tuple []`); sequences inside mappings at the key's
// indentation; Python's float repr with PyYAML's fix-ups (`1.0e-05`, `.inf`, `-.inf`, `.nan`);
// strings plain when PyYAML would write them plain, else single-quoted, else double-quoted with
// PyYAML's escapes (non-ASCII text is escaped, as with allow_unicode=False); long scalars
// folded at PyYAML's 80-column width; keys of 123 characters or more, empty keys and
// multi-line keys written as complex `? key` entries; a root plain scalar followed by `...`.
// What it does not reproduce: PyYAML writes `&id001`/`*id001` anchors when one Python object
// appears twice in the data; a YamlNode has no identity, so repeated values are written out.
//
// yaml_writer.cpp holds YamlNode and the emitter; yaml_writer_scalars.cpp the scalar rules
// (resolve_plain_scalar, python_float_repr, yaml_float).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "nestling/value.hpp"

namespace nestling::io {

// The type YAML 1.1 (PyYAML's implicit resolver) gives a plain, untagged scalar.
// `merge` is `<<`, `value` is `=`; `timestamp` covers dates such as 2001-12-14.
enum class PlainScalarType { null, boolean, integer, real, timestamp, merge, value, string };
PlainScalarType resolve_plain_scalar(std::string_view text);

// Python's repr() of a double (shortest round-trip digits: '0.1', '1e-05', '1e+16').
std::string python_float_repr(double x);
// A double as PyYAML writes it: repr with '.0' put before a bare exponent ('1.0e-05'),
// and '.inf', '-.inf', '.nan'.
std::string yaml_float(double x);

class YamlNode {
 public:
  enum class Kind { scalar, sequence, tuple, mapping };
  // A mapping key: an integer (written plain, e.g. `53:`) or a string.
  using Key = std::variant<std::int64_t, std::string>;
  struct Entry;

  // Constructors are defined below, where Entry is complete (clang needs that).
  YamlNode();  // null
  YamlNode(std::nullptr_t);
  YamlNode(bool b);
  YamlNode(int i);
  YamlNode(long i);
  YamlNode(long long i);
  YamlNode(unsigned long i);
  YamlNode(double d);
  YamlNode(const char* s);
  YamlNode(std::string s);
  YamlNode(const Value& value);  // deep conversion
  YamlNode(const YamlNode& other);
  YamlNode(YamlNode&& other) noexcept;
  YamlNode& operator=(const YamlNode& other);
  YamlNode& operator=(YamlNode&& other) noexcept;
  ~YamlNode();

  static YamlNode sequence(std::vector<YamlNode> items = {});
  static YamlNode tuple(std::vector<YamlNode> items = {});
  static YamlNode mapping();

  Kind kind() const { return kind_; }
  const Value& scalar() const { return scalar_; }  // Kind::scalar only
  const std::vector<YamlNode>& items() const;      // sequence or tuple
  const std::vector<Entry>& entries() const;       // mapping

  // Mapping: inserts, or replaces the value of an existing key in place. Returns *this.
  YamlNode& set(const std::string& key, YamlNode value);
  YamlNode& set(std::int64_t key, YamlNode value);
  // Mapping: appends a key known to be new, without the search set() does (large mappings).
  YamlNode& add(std::int64_t key, YamlNode value);
  // Sequence or tuple: appends an item. Returns *this.
  YamlNode& append(YamlNode item);

 private:
  YamlNode& set_key(Key key, YamlNode value);

  Kind kind_ = Kind::scalar;
  Value scalar_;
  std::vector<YamlNode> items_;
  std::vector<Entry> entries_;
};

struct YamlNode::Entry {
  Key key;
  YamlNode value;
};

inline YamlNode::YamlNode() = default;
inline YamlNode::YamlNode(std::nullptr_t) {}
inline YamlNode::YamlNode(bool b) : scalar_(b) {}
inline YamlNode::YamlNode(int i) : scalar_(i) {}
inline YamlNode::YamlNode(long i) : scalar_(i) {}
inline YamlNode::YamlNode(long long i) : scalar_(i) {}
inline YamlNode::YamlNode(unsigned long i) : scalar_(i) {}
inline YamlNode::YamlNode(double d) : scalar_(d) {}
inline YamlNode::YamlNode(const char* s) : scalar_(s) {}
inline YamlNode::YamlNode(std::string s) : scalar_(std::move(s)) {}
inline YamlNode::YamlNode(const YamlNode& other) = default;
inline YamlNode::YamlNode(YamlNode&& other) noexcept = default;
inline YamlNode& YamlNode::operator=(const YamlNode& other) = default;
inline YamlNode& YamlNode::operator=(YamlNode&& other) noexcept = default;
inline YamlNode::~YamlNode() = default;

struct YamlDumpOptions {
  // Sort mapping keys as Python's sorted() does (deNEST sorts session_times.yml and recorder
  // metadata, not parameter_tree.yml). Like PyYAML, a mapping mixing integer and string keys
  // cannot be sorted and keeps insertion order.
  bool sort_keys = false;
};

// The YAML text PyYAML would produce. Throws UserError for a string that is not valid UTF-8.
std::string dump_yaml(const YamlNode& document, const YamlDumpOptions& options = {});

// Writes dump_yaml(document) to `file` (through a temporary file renamed into place, so an
// existing file is never left half-written). Throws UserError naming the file on failure.
void write_yaml_file(const std::string& file, const YamlNode& document, const YamlDumpOptions& options = {});

}  // namespace nestling::io
