#include "frontend/run_tree.hpp"

#include "frontend/yaml_values.hpp"
#include "nestling/errors.hpp"

namespace nestling::frontend {

namespace {

const char* const kSource = "--set";

std::vector<std::string> split(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t slash = path.find('/', start);
    parts.push_back(path.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
    if (slash == std::string::npos) return parts;
    start = slash + 1;
  }
}

// `value` with the entry at keys[from...] replaced by `leaf`, creating mappings on the way.
Value with_entry(Value value, const std::vector<std::string>& keys, std::size_t from, Value leaf,
                 const std::string& setting) {
  if (from == keys.size()) return leaf;
  if (value.is_null()) value = Value(Dict{});
  if (!value.is_dict())
    throw UserError(kSource, "'" + setting + "': '" + keys[from - 1] + "' holds " + value.repr() +
                                 ", not a mapping with a key '" + keys[from] + "'");
  Dict d = value.as_dict();
  const Value* current = d.find(keys[from]);
  d.set(keys[from], with_entry(current ? *current : Value(), keys, from + 1, std::move(leaf), setting));
  return Value(d);
}

}  // namespace

std::string apply_setting(ParamsTree& tree, const std::string& setting) {
  const std::size_t eq = setting.find('=');
  if (eq == std::string::npos)
    throw UserError(kSource, "'" + setting + "' must be TREE/PATH=VALUE, e.g. kernel/nest_params/resolution=0.1");
  const std::vector<std::string> parts = split(setting.substr(0, eq));
  std::size_t data = 0;
  while (data < parts.size() && parts[data] != "params" && parts[data] != "nest_params") ++data;
  if (data == parts.size() || data + 1 >= parts.size())
    throw UserError(kSource, "'" + setting.substr(0, eq) +
                                 "' must name a node, then params or nest_params, then a key, e.g. "
                                 "network/layers/l1/nest_params/rows");
  for (std::size_t i = 0; i <= data + 1 && i < parts.size(); ++i)
    if (parts[i].empty()) throw UserError(kSource, "'" + setting.substr(0, eq) + "' has an empty name");
  Value value;
  try {
    value = parse_yaml(setting.substr(eq + 1), kSource);
  } catch (const UserError& e) {
    throw UserError(kSource, "'" + setting + "': " + e.message());
  }
  ParamsTree* node = &tree;
  std::string added;
  for (std::size_t i = 0; i < data; ++i) {
    if (!node->child(parts[i]) && added.empty()) added = (node->path().empty() ? "" : node->path() + "/") + parts[i];
    node = &node->add_child(parts[i]);
  }
  const std::string& key = parts[data + 1];
  const bool nest = parts[data] == "nest_params";
  const Dict& own = nest ? node->own_nest_params() : node->own_params();
  const Dict seen = nest ? node->nest_params() : node->params();  // a nested key edits the value seen here
  const Value* current = own.find(key) ? own.find(key) : seen.find(key);
  Value updated = with_entry(current ? *current : Value(), parts, data + 2, std::move(value), setting);
  if (nest)
    node->set_own_nest_param(key, std::move(updated), kSource);
  else
    node->set_own_param(key, std::move(updated), kSource);
  return added;
}

ParamsTree load_run_tree(const std::vector<std::string>& paths, const std::vector<std::string>& settings,
                         std::vector<std::string>* notes) {
  if (paths.empty()) throw UserError("TREE", "give at least one tree");
  std::vector<ParamsTree> trees;
  trees.reserve(paths.size());
  for (const auto& p : paths) trees.push_back(ParamsTree::load(p));
  ParamsTree tree;
  if (trees.size() == 1) {
    tree = std::move(trees.front());
  } else {
    std::vector<const ParamsTree*> precedence;  // the last argument first: it wins
    for (auto it = trees.rbegin(); it != trees.rend(); ++it) precedence.push_back(&*it);
    tree = ParamsTree::merge(precedence);
  }
  for (const auto& s : settings) {
    const std::string added = apply_setting(tree, s);
    if (notes && !added.empty())
      notes->push_back("warning: --set " + s + ": adds node " + added + ", which the trees do not have");
  }
  if (notes)
    for (const auto& f : tree.empty_inputs())
      notes->push_back("warning: " + f + ": the file holds no tree (it is empty)");
  return tree;
}

}  // namespace nestling::frontend
