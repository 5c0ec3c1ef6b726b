#include "io/yaml_writer.hpp"

#include <algorithm>
#include <cstdio>

#include "io/output_dir.hpp"
#include "io/utf8.hpp"
#include "nestling/errors.hpp"

namespace nestling::io {

// ---------------------------------------------------------------------------------------------
// YamlNode.

YamlNode::YamlNode(const Value& value) {
  switch (value.type()) {
    case ValueType::list:
      kind_ = Kind::sequence;
      for (const auto& item : value.as_list()) items_.emplace_back(item);
      break;
    case ValueType::dict:
      kind_ = Kind::mapping;
      for (const auto& [key, item] : value.as_dict()) entries_.push_back(Entry{key, YamlNode(item)});
      break;
    default:
      scalar_ = value;
  }
}

YamlNode YamlNode::sequence(std::vector<YamlNode> items) {
  YamlNode node;
  node.kind_ = Kind::sequence;
  node.items_ = std::move(items);
  return node;
}

YamlNode YamlNode::tuple(std::vector<YamlNode> items) {
  YamlNode node = sequence(std::move(items));
  node.kind_ = Kind::tuple;
  return node;
}

YamlNode YamlNode::mapping() {
  YamlNode node;
  node.kind_ = Kind::mapping;
  return node;
}

const std::vector<YamlNode>& YamlNode::items() const {
  if (kind_ != Kind::sequence && kind_ != Kind::tuple) throw InternalError("YamlNode::items on a non-sequence");
  return items_;
}

const std::vector<YamlNode::Entry>& YamlNode::entries() const {
  if (kind_ != Kind::mapping) throw InternalError("YamlNode::entries on a non-mapping");
  return entries_;
}

YamlNode& YamlNode::set(const std::string& key, YamlNode value) {
  return set_key(Key(key), std::move(value));
}
YamlNode& YamlNode::set(std::int64_t key, YamlNode value) {
  return set_key(Key(key), std::move(value));
}

YamlNode& YamlNode::set_key(Key key, YamlNode value) {
  if (kind_ != Kind::mapping) throw InternalError("YamlNode::set on a non-mapping");
  for (auto& entry : entries_) {
    if (entry.key == key) {
      entry.value = std::move(value);
      return *this;
    }
  }
  entries_.push_back(Entry{std::move(key), std::move(value)});
  return *this;
}

YamlNode& YamlNode::add(std::int64_t key, YamlNode value) {
  if (kind_ != Kind::mapping) throw InternalError("YamlNode::add on a non-mapping");
  entries_.emplace_back();
  entries_.back().key.emplace<std::int64_t>(key);
  entries_.back().value = std::move(value);
  return *this;
}

YamlNode& YamlNode::append(YamlNode item) {
  if (kind_ != Kind::sequence && kind_ != Kind::tuple) throw InternalError("YamlNode::append on a non-sequence");
  items_.push_back(std::move(item));
  return *this;
}

// ---------------------------------------------------------------------------------------------
// The emitter: the layout decisions of PyYAML's Emitter, specialised to block style.

namespace {

constexpr int kBestWidth = 80;
constexpr int kBestIndent = 2;
constexpr char32_t kEnd = 0xFFFFFFFF;  // "no character": the position after the text

std::u32string decode_utf8(const std::string& s) {
  std::u32string out;
  for (std::size_t i = 0; i < s.size();) {
    const Utf8Char c = decode_utf8_at(s, i);
    if (!c.valid) throw UserError("cannot write string as YAML: it is not valid UTF-8: " + Value(s).repr());
    out += c.code_point;
    i += c.length;
  }
  return out;
}

bool is_break(char32_t c) {
  return c == '\n' || c == 0x85 || c == 0x2028 || c == 0x2029;
}
bool is_blank_or_break(char32_t c) {
  return c == 0 || c == ' ' || c == '\t' || c == '\r' || is_break(c);
}

// What the emitter may do with a scalar (PyYAML's ScalarAnalysis).
struct Analysis {
  bool empty = false, multiline = false;
  bool allow_block_plain = true, allow_single_quoted = true;
};

Analysis analyze(const std::u32string& s) {
  Analysis a;
  if (s.empty()) {
    a.empty = true;
    return a;
  }
  bool block_indicators = false, line_breaks = false, special = false;
  bool leading_space = false, leading_break = false, trailing_space = false, trailing_break = false;
  bool break_space = false, space_break = false;
  if (s.rfind(U"---", 0) == 0 || s.rfind(U"...", 0) == 0) block_indicators = true;
  bool preceded_by_whitespace = true;
  bool followed_by_whitespace = s.size() == 1 || is_blank_or_break(s[1]);
  bool previous_space = false, previous_break = false;
  const std::u32string_view leading_indicators = U"#,[]{}&*!|>'\"%@`";
  for (std::size_t i = 0; i < s.size(); ++i) {
    char32_t ch = s[i];
    if (i == 0) {
      if (leading_indicators.find(ch) != std::u32string_view::npos) block_indicators = true;
      if ((ch == '?' || ch == ':' || ch == '-') && followed_by_whitespace) block_indicators = true;
    } else {
      if (ch == ':' && followed_by_whitespace) block_indicators = true;
      if (ch == '#' && preceded_by_whitespace) block_indicators = true;
    }
    if (is_break(ch)) line_breaks = true;
    // Without allow_unicode, everything outside printable ASCII needs double quotes.
    if (!(ch == '\n' || (ch >= 0x20 && ch <= 0x7E))) special = true;
    if (ch == ' ') {
      if (i == 0) leading_space = true;
      if (i == s.size() - 1) trailing_space = true;
      if (previous_break) break_space = true;
      previous_space = true;
      previous_break = false;
    } else if (is_break(ch)) {
      if (i == 0) leading_break = true;
      if (i == s.size() - 1) trailing_break = true;
      if (previous_space) space_break = true;
      previous_space = false;
      previous_break = true;
    } else {
      previous_space = previous_break = false;
    }
    preceded_by_whitespace = is_blank_or_break(ch);
    followed_by_whitespace = i + 2 >= s.size() || is_blank_or_break(s[i + 2]);
  }
  if (leading_space || leading_break || trailing_space || trailing_break) a.allow_block_plain = false;
  if (break_space) a.allow_block_plain = a.allow_single_quoted = false;
  if (space_break || special) a.allow_block_plain = a.allow_single_quoted = false;
  if (line_breaks || block_indicators) a.allow_block_plain = false;
  a.multiline = line_breaks;
  return a;
}

// A scalar as the serializer hands it to the emitter: its text, its tag and whether the tag
// may be left out when written plain (implicit_plain) or quoted (implicit_quoted).
struct Scalar {
  std::u32string text;
  std::string tag;  // short form, e.g. "!!int"
  bool implicit_plain = true;
  bool implicit_quoted = false;
};

Scalar make_scalar(const Value& v) {
  switch (v.type()) {
    case ValueType::null:
      return {U"null", "!!null"};
    case ValueType::boolean:
      return {v.as_bool() ? U"true" : U"false", "!!bool"};
    case ValueType::integer:
      return {decode_utf8(std::to_string(v.as_int())), "!!int"};
    case ValueType::real:
      return {decode_utf8(yaml_float(v.as_double())), "!!float"};
    case ValueType::string: {
      const std::string& s = v.as_string();
      return {decode_utf8(s), "!!str", resolve_plain_scalar(s) == PlainScalarType::string, true};
    }
    default:
      throw InternalError("make_scalar on a collection");
  }
}

Scalar make_key(const YamlNode::Key& key) {
  if (const auto* i = std::get_if<std::int64_t>(&key)) return make_scalar(Value(static_cast<long long>(*i)));
  return make_scalar(Value(std::get<std::string>(key)));
}

enum class Style { plain, single_quoted, double_quoted };

class Emitter {
 public:
  explicit Emitter(const YamlDumpOptions& options) : options_(options) {}

  std::string run(const YamlNode& root) {
    expect_node(root, {.root = true});
    write_indent();  // document end
    if (open_ended_) {
      write_indicator("...", true);
      write_indent();
    }
    return std::move(out_);
  }

 private:
  struct Context {
    bool root = false, mapping = false, simple_key = false;
  };

  void set_context(Context context) {
    root_context_ = context.root;
    mapping_context_ = context.mapping;
    simple_key_context_ = context.simple_key;
  }

  void expect_node(const YamlNode& node, Context context) {
    set_context(context);
    switch (node.kind()) {
      case YamlNode::Kind::scalar:
        emit_scalar(make_scalar(node.scalar()));
        break;
      case YamlNode::Kind::sequence:
      case YamlNode::Kind::tuple:
        if (node.kind() == YamlNode::Kind::tuple) write_indicator("!!python/tuple", true);
        if (node.items().empty()) {
          write_empty_collection("[", "]");
        } else {
          block_sequence(node.items());
        }
        break;
      case YamlNode::Kind::mapping:
        if (node.entries().empty()) {
          write_empty_collection("{", "}");
        } else {
          block_mapping(node.entries());
        }
        break;
    }
  }

  void emit_scalar(const Scalar& scalar) { emit_scalar(scalar, analyze(scalar.text)); }

  void emit_scalar(const Scalar& scalar, const Analysis& analysis) {
    Style style = choose_style(scalar, analysis);
    bool implicit = style == Style::plain ? scalar.implicit_plain : scalar.implicit_quoted;
    if (!implicit) write_indicator(scalar.tag, true);
    increase_indent(true, false);
    bool split = !simple_key_context_;
    switch (style) {
      case Style::plain:
        write_plain(scalar.text, split);
        break;
      case Style::single_quoted:
        write_single_quoted(scalar.text, split);
        break;
      case Style::double_quoted:
        write_double_quoted(scalar.text, split);
        break;
    }
    pop_indent();
  }

  Style choose_style(const Scalar& scalar, const Analysis& a) const {
    if (scalar.implicit_plain && !(simple_key_context_ && (a.empty || a.multiline)) && a.allow_block_plain)
      return Style::plain;
    if (a.allow_single_quoted && !(simple_key_context_ && a.multiline)) return Style::single_quoted;
    return Style::double_quoted;
  }

  void write_empty_collection(const char* open, const char* close) {
    write_indicator(open, true, true);
    increase_indent(true, false);
    pop_indent();
    write_indicator(close, false);
  }

  void block_sequence(const std::vector<YamlNode>& items) {
    // A sequence that is a mapping value starts at the key's column ("indentless").
    bool indentless = mapping_context_ && !indention_;
    increase_indent(false, indentless);
    for (const auto& item : items) {
      write_indent();
      write_indicator("-", true, false, true);
      expect_node(item, {});
    }
    pop_indent();
  }

  void block_mapping(const std::vector<YamlNode::Entry>& entries) {
    increase_indent(false, false);
    for (const auto* entry : ordered(entries)) {
      write_indent();
      const Scalar key = make_key(entry->key);
      const Analysis analysis = analyze(key.text);
      // PyYAML counts the (unwritten) tag, e.g. "!!str", towards the 128-character limit.
      const bool simple = key.tag.size() + key.text.size() < 128 && !analysis.empty && !analysis.multiline;
      if (!simple) write_indicator("?", true, false, true);
      set_context({.mapping = true, .simple_key = simple});
      emit_scalar(key, analysis);
      if (simple) {
        write_indicator(":", false);
      } else {
        write_indent();
        write_indicator(":", true, false, true);
      }
      expect_node(entry->value, {.mapping = true});
    }
    pop_indent();
  }

  std::vector<const YamlNode::Entry*> ordered(const std::vector<YamlNode::Entry>& entries) const {
    std::vector<const YamlNode::Entry*> out;
    for (const auto& e : entries) out.push_back(&e);
    if (!options_.sort_keys) return out;
    bool all_same_kind =
        std::all_of(out.begin(), out.end(), [&](const auto* e) { return e->key.index() == out.front()->key.index(); });
    // Python cannot order ints against strings; PyYAML then keeps insertion order.
    if (all_same_kind)
      std::stable_sort(out.begin(), out.end(), [](const auto* a, const auto* b) { return a->key < b->key; });
    return out;
  }

  // --- low-level writing (PyYAML's column/whitespace/indention bookkeeping) ---

  void increase_indent(bool flow, bool indentless) {
    indents_.push_back(indent_);
    if (indent_ < 0) {
      indent_ = flow ? kBestIndent : 0;
    } else if (!indentless) {
      indent_ += kBestIndent;
    }
  }

  void pop_indent() {
    indent_ = indents_.back();
    indents_.pop_back();
  }

  void put(std::u32string_view text) {
    for (char32_t c : text) {
      // Plain and single-quoted text is printable ASCII; double-quoted text escapes the rest.
      out_ += static_cast<char>(c);
    }
    column_ += static_cast<int>(text.size());
  }

  void write_indicator(const std::string& indicator, bool need_whitespace, bool whitespace = false,
                       bool indention = false) {
    std::string data = (whitespace_ || !need_whitespace) ? indicator : " " + indicator;
    whitespace_ = whitespace;
    indention_ = indention_ && indention;
    column_ += static_cast<int>(data.size());
    open_ended_ = false;
    out_ += data;
  }

  void write_indent() {
    int indent = std::max(indent_, 0);
    if (!indention_ || column_ > indent || (column_ == indent && !whitespace_)) write_line_break();
    if (column_ < indent) {
      whitespace_ = true;
      out_.append(static_cast<std::size_t>(indent - column_), ' ');
      column_ = indent;
    }
  }

  void write_line_break() {
    whitespace_ = true;
    indention_ = true;
    column_ = 0;
    out_ += '\n';
  }

  void write_plain(const std::u32string& text, bool split);
  void write_single_quoted(const std::u32string& text, bool split);
  void write_double_quoted(const std::u32string& text, bool split);

  const YamlDumpOptions& options_;
  std::string out_;
  int column_ = 0;
  int indent_ = -1;  // -1: none yet (PyYAML's None)
  std::vector<int> indents_;
  bool whitespace_ = true, indention_ = true, open_ended_ = false;
  bool root_context_ = false, mapping_context_ = false, simple_key_context_ = false;
};

void Emitter::write_plain(const std::u32string& text, bool split) {
  if (root_context_) open_ended_ = true;
  if (text.empty()) return;
  if (!whitespace_) put(U" ");
  whitespace_ = indention_ = false;
  // Plain scalars never hold line breaks (analyze() forbids it), so only spaces split words.
  bool spaces = false;
  std::size_t start = 0;
  for (std::size_t end = 0; end <= text.size(); ++end) {
    char32_t ch = end < text.size() ? text[end] : kEnd;
    std::u32string_view run(text.data() + start, end - start);
    if (spaces) {
      if (ch != ' ') {
        // A single space past the width becomes a line break (folded back on reading).
        if (start + 1 == end && column_ > kBestWidth && split) {
          write_indent();
          whitespace_ = indention_ = false;
        } else {
          put(run);
        }
        start = end;
      }
    } else if (ch == kEnd || ch == ' ') {
      put(run);
      start = end;
    }
    if (ch != kEnd) spaces = ch == ' ';
  }
}

void Emitter::write_single_quoted(const std::u32string& text, bool split) {
  write_indicator("'", true);
  bool spaces = false, breaks = false;
  std::size_t start = 0;
  for (std::size_t end = 0; end <= text.size(); ++end) {
    char32_t ch = end < text.size() ? text[end] : kEnd;
    std::u32string_view run(text.data() + start, end - start);
    if (spaces) {
      if (ch != ' ') {
        if (start + 1 == end && column_ > kBestWidth && split && start != 0 && end != text.size()) {
          write_indent();
        } else {
          put(run);
        }
        start = end;
      }
    } else if (breaks) {
      if (ch == kEnd || !is_break(ch)) {
        // A line break inside quotes is written twice: one folds away on reading.
        if (text[start] == '\n') write_line_break();
        for (std::size_t k = start; k < end; ++k) write_line_break();
        write_indent();
        start = end;
      }
    } else if (ch == kEnd || ch == ' ' || is_break(ch) || ch == '\'') {
      if (start < end) {
        put(run);
        start = end;
      }
    }
    if (ch == '\'') {
      put(U"''");
      start = end + 1;
    }
    if (ch != kEnd) {
      spaces = ch == ' ';
      breaks = is_break(ch);
    }
  }
  write_indicator("'", false);
}

std::u32string escape(char32_t ch) {
  switch (ch) {
    case 0:
      return U"\\0";
    case 0x07:
      return U"\\a";
    case 0x08:
      return U"\\b";
    case 0x09:
      return U"\\t";
    case 0x0A:
      return U"\\n";
    case 0x0B:
      return U"\\v";
    case 0x0C:
      return U"\\f";
    case 0x0D:
      return U"\\r";
    case 0x1B:
      return U"\\e";
    case '"':
      return U"\\\"";
    case '\\':
      return U"\\\\";
    case 0x85:
      return U"\\N";
    case 0xA0:
      return U"\\_";
    case 0x2028:
      return U"\\L";
    case 0x2029:
      return U"\\P";
    default:
      break;
  }
  char buf[16];
  const auto code = static_cast<unsigned>(ch);
  if (ch <= 0xFF) {
    std::snprintf(buf, sizeof buf, "\\x%02X", code);
  } else if (ch <= 0xFFFF) {
    std::snprintf(buf, sizeof buf, "\\u%04X", code);
  } else {
    std::snprintf(buf, sizeof buf, "\\U%08X", code);
  }
  return std::u32string(buf, buf + std::char_traits<char>::length(buf));
}

void Emitter::write_double_quoted(const std::u32string& text, bool split) {
  write_indicator("\"", true);
  const auto size = static_cast<std::ptrdiff_t>(text.size());
  std::ptrdiff_t start = 0;
  for (std::ptrdiff_t end = 0; end <= size; ++end) {
    char32_t ch = end < size ? text[static_cast<std::size_t>(end)] : kEnd;
    if (ch == kEnd || ch == '"' || ch == '\\' || ch == 0xFEFF || !(ch >= 0x20 && ch <= 0x7E)) {
      if (start < end) {
        put(std::u32string_view(text.data() + start, static_cast<std::size_t>(end - start)));
        start = end;
      }
      if (ch != kEnd) {
        put(escape(ch));
        start = end + 1;
      }
    }
    // Fold before a space (or an escape) once past the width; the backslash keeps the text exact.
    if (0 < end && end < size - 1 && (ch == ' ' || start >= end) && column_ + (end - start) > kBestWidth && split) {
      std::u32string data =
          start < end ? text.substr(static_cast<std::size_t>(start), static_cast<std::size_t>(end - start)) : U"";
      data += U"\\";
      if (start < end) start = end;
      put(data);
      write_indent();
      whitespace_ = indention_ = false;
      if (text[static_cast<std::size_t>(start)] == ' ') put(U"\\");
    }
  }
  write_indicator("\"", false);
}

}  // namespace

std::string dump_yaml(const YamlNode& document, const YamlDumpOptions& options) {
  return Emitter(options).run(document);
}

void write_yaml_file(const std::string& file, const YamlNode& document, const YamlDumpOptions& options) {
  write_file_atomically(file, dump_yaml(document, options));
}

}  // namespace nestling::io
