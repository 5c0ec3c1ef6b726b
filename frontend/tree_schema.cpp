#include "frontend/tree_schema.hpp"

#include <algorithm>

#include "engine/suggest.hpp"

namespace nestling::frontend {

namespace {
std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

std::string where(const ParamsTree& node, const std::string& data_key, const std::string& key) {
  std::string p = node.path();
  for (const auto* part : {&data_key, &key})
    if (!part->empty()) p += (p.empty() ? "" : "/") + *part;
  return p;
}

// The node that writes `key` (its first segment) of `data_key` as `node` sees it: `node` itself,
// or the ancestor it inherits the key from.
const ParamsTree& defining_node(const ParamsTree& node, const std::string& data_key, const std::string& key) {
  if ((data_key != "params" && data_key != "nest_params") || key.empty()) return node;
  const std::string first = key.substr(0, key.find('/'));
  for (const ParamsTree* n = &node; n; n = n->parent())
    if ((data_key == "params" ? n->own_params() : n->own_nest_params()).contains(first)) return *n;
  return node;
}

std::string file_of(const ParamsTree& node, const std::string& data_key, const std::string& key) {
  if (!data_key.empty() && !key.empty()) {
    std::string f = node.origin(data_key, key);
    if (!f.empty()) return f;
  }
  return node.file();
}
}  // namespace

UserError located(const UserError& e, const ParamsTree& node, const std::string& data_key, const std::string& key) {
  // A key inherited from a template node is reported where it is written.
  const ParamsTree& at = defining_node(node, data_key, key);
  const std::string message = &at == &node ? e.message() : e.message() + " (inherited by " + node.path() + ")";
  UserError out(where(at, data_key, key) + (e.path().empty() ? "" : "/" + e.path()), message);
  const std::string f = file_of(at, data_key, key);
  return f.empty() ? out : out.with_file(f);
}

void tree_error(const ParamsTree& node, const std::string& data_key, const std::string& key,
                const std::string& message) {
  throw located(UserError(message), node, data_key, key);
}

void reject_placeholders(const ParamsTree& node, const std::string& data_key, const Dict& values) {
  for (const auto& [key, v] : values)
    if (v.is_string() && v.as_string() == "mandatory")
      tree_error(node, data_key, key,
                 "still holds the placeholder 'mandatory' of a template node: set a value in this leaf or in a "
                 "file that overrides it");
}

Dict check_keys(const ParamsTree& node, const std::string& data_key, const Dict& values, const KeyRules& rules) {
  reject_placeholders(node, data_key, values);
  for (const auto& r : rules.reserved)
    if (values.contains(r)) tree_error(node, data_key, r, "is reserved and cannot be set here");
  for (const auto& m : rules.mandatory)
    if (!values.contains(m)) tree_error(node, data_key, m, "is missing (mandatory)");
  if (!rules.open) {
    for (const auto& entry : values) {
      const std::string& key = entry.first;
      const bool known = std::find(rules.mandatory.begin(), rules.mandatory.end(), key) != rules.mandatory.end() ||
                         std::any_of(rules.optional.begin(), rules.optional.end(),
                                     [&](const auto& o) { return o.first == key; });
      if (!known) {
        std::vector<std::string> names = rules.mandatory;
        for (const auto& o : rules.optional) names.push_back(o.first);
        std::sort(names.begin(), names.end());
        tree_error(node, data_key, key,
                   names.empty() ? "is not allowed: " + data_key + " must be empty here"
                                 : "is not a recognised key" + did_you_mean(key, names) + "; allowed: " + join(names));
      }
    }
  }
  Dict out = values;
  for (const auto& [key, def] : rules.optional)
    if (!out.contains(key)) out.set(key, def);
  return out;
}

std::string string_value(const ParamsTree& node, const std::string& data_key, const Dict& values,
                         const std::string& key) {
  const Value& v = values.at(key);
  if (!v.is_string()) tree_error(node, data_key, key, "must be a string, got " + v.repr());
  return v.as_string();
}

bool bool_value(const ParamsTree& node, const std::string& data_key, const Dict& values, const std::string& key) {
  const Value& v = values.at(key);
  if (!v.is_bool()) tree_error(node, data_key, key, "must be true or false, got " + v.repr());
  return v.as_bool();
}

std::vector<std::string> string_list(const ParamsTree& node, const std::string& data_key, const Value& v,
                                     const std::string& key) {
  if (!v.is_list()) tree_error(node, data_key, key, "must be a list of names, got " + v.repr());
  std::vector<std::string> out;
  for (const auto& e : v.as_list()) {
    if (!e.is_string()) tree_error(node, data_key, key, "must be a list of names, got " + v.repr());
    out.push_back(e.as_string());
  }
  return out;
}

void check_children(ParamsTree& node, const std::vector<std::string>& allowed) {
  for (const ParamsTree* child : node.children())
    if (std::find(allowed.begin(), allowed.end(), child->name()) == allowed.end())
      throw located(UserError("unknown subtree '" + child->name() + "'" + did_you_mean(child->name(), allowed) +
                              "; allowed here: " + join(allowed)),
                    *child, "");
  for (const auto& name : allowed)
    if (!node.child(name)) node.add_child(name);
}

void adopt_older_name(Dict& d, const std::string& old_key, const std::string& key, const ParamsTree& node,
                      const std::string& data_key, const std::string& where) {
  const Value* old = d.find(old_key);
  if (!old) return;
  if (d.contains(key)) tree_error(node, data_key, where + "/" + old_key, "give either " + key + " or its older name " + old_key);
  d.set(key, *old);
  d.erase(old_key);
}

}  // namespace nestling::frontend
