#include "tests/validation/reference_util.hpp"

#include <charconv>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace nestling::validation {

Value to_value(const YAML::Node& node) {
  if (!node || node.IsNull()) return Value();
  if (node.IsSequence()) {
    List list;
    for (const auto& item : node) list.push_back(to_value(item));
    return Value(std::move(list));
  }
  if (node.IsMap()) {
    Dict d;
    for (const auto& kv : node) d.set(kv.first.as<std::string>(), to_value(kv.second));
    return Value(std::move(d));
  }
  const std::string text = node.Scalar();
  if (node.Tag() == "!") return Value(text);  // quoted
  if (text == "true" || text == "True") return Value(true);
  if (text == "false" || text == "False") return Value(false);
  long long i = 0;
  auto ri = std::from_chars(text.data(), text.data() + text.size(), i);
  if (ri.ec == std::errc() && ri.ptr == text.data() + text.size()) return Value(i);
  double x = 0;
  auto rd = std::from_chars(text.data(), text.data() + text.size(), x);
  if (rd.ec == std::errc() && rd.ptr == text.data() + text.size()) return Value(x);
  return Value(text);
}

Dict to_dict(const YAML::Node& node) {
  if (!node || node.IsNull()) return {};
  if (!node.IsMap()) throw std::runtime_error("expected a mapping, got '" + YAML::Dump(node) + "'");
  return to_value(node).as_dict();
}

std::string shortest(double x) {
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof buf, x);
  std::string text(buf, res.ptr);
  if (text.find_first_of(".en") == std::string::npos) text += ".0";  // stays a float in YAML
  return text;
}

std::size_t Table::column(const std::string& name) const {
  for (std::size_t c = 0; c < columns.size(); ++c)
    if (columns[c] == name) return c;
  throw std::runtime_error("no column '" + name + "'");
}

Table read_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  Table t;
  std::string line;
  std::getline(in, line);
  std::stringstream header(line);
  for (std::string cell; std::getline(header, cell, ',');) t.columns.push_back(cell);
  if (t.columns.empty()) throw std::runtime_error(path + ": no header");
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::stringstream row(line);
    std::vector<double> values;
    for (std::string cell; std::getline(row, cell, ',');) values.push_back(std::stod(cell));
    if (values.size() != t.columns.size()) throw std::runtime_error(path + ": ragged row '" + line + "'");
    t.rows.push_back(std::move(values));
  }
  return t;
}

void write_csv(const std::string& path, const Table& t) {
  std::ofstream out(path);
  if (!out) throw std::runtime_error("cannot write " + path);
  for (std::size_t c = 0; c < t.columns.size(); ++c) out << (c ? "," : "") << t.columns[c];
  out << "\n";
  char buf[64];
  for (const auto& row : t.rows) {
    std::snprintf(buf, sizeof buf, "%.4f", row[0]);
    out << buf;
    for (std::size_t c = 1; c < row.size(); ++c) {
      std::snprintf(buf, sizeof buf, ",%.10g", row[c]);
      out << buf;
    }
    out << "\n";
  }
}

}  // namespace nestling::validation
