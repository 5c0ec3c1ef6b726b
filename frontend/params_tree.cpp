#include "frontend/params_tree.hpp"

#include <algorithm>
#include <filesystem>
#include <map>

#include "frontend/yaml_values.hpp"
#include "io/yaml_writer.hpp"
#include "nestling/errors.hpp"

namespace nestling::frontend {

namespace fs = std::filesystem;

namespace {

const char* const kDataKeys[2] = {"params", "nest_params"};

std::string join(const std::string& path, const std::string& name) {
  return path.empty() ? name : path + "/" + name;
}

std::string describe(const Value& v) {
  return std::string(type_name(v.type())) + " " + v.repr();
}

// Python-style equality: mapping order does not matter.
bool equal_unordered(const Value& a, const Value& b) {
  if (a.type() != b.type()) return false;
  if (a.is_dict()) {
    const Dict& x = a.as_dict();
    const Dict& y = b.as_dict();
    if (x.size() != y.size()) return false;
    for (const auto& [key, value] : x) {
      const Value* other = y.find(key);
      if (!other || !equal_unordered(value, *other)) return false;
    }
    return true;
  }
  if (a.is_list()) {
    const List& x = a.as_list();
    const List& y = b.as_list();
    if (x.size() != y.size()) return false;
    for (std::size_t i = 0; i < x.size(); ++i)
      if (!equal_unordered(x[i], y[i])) return false;
    return true;
  }
  return a == b;
}

// Appends the items of `from` that `to` does not hold yet, in order.
void add_missing(std::vector<std::string>& to, const std::vector<std::string>& from) {
  for (const auto& f : from)
    if (std::find(to.begin(), to.end(), f) == to.end()) to.push_back(f);
}

// The tree files a load() path stands for, in precedence order, each with its content.
struct TreeFile {
  std::string file;
  Value content;
};

void collect_tree_files(const std::string& file, std::vector<std::string>& open_lists, std::vector<TreeFile>& out,
                        std::vector<std::string>& lists) {
  Value content = read_yaml_file(file);
  if (!content.is_list()) {
    out.push_back({file, std::move(content)});
    return;
  }
  lists.push_back(file);
  std::error_code ec;
  std::string canonical = fs::weakly_canonical(file, ec).string();
  if (ec) canonical = fs::absolute(file).lexically_normal().string();
  if (std::find(open_lists.begin(), open_lists.end(), canonical) != open_lists.end()) {
    std::string cycle;
    for (const auto& f : open_lists) cycle += f + " -> ";
    throw UserError("", "tree_paths lists include each other in a cycle: " + cycle + canonical).with_file(file);
  }
  open_lists.push_back(canonical);
  const fs::path directory = fs::path(file).parent_path();
  const List& entries = content.as_list();
  for (std::size_t i = 0; i < entries.size(); ++i) {
    std::string where = "[";  // appended piecewise: GCC 12 warns falsely on "[" + to_string
    where += std::to_string(i);
    where += ']';
    const Value& entry = entries[i];
    if (!entry.is_string() || entry.as_string().empty())
      throw UserError(where, "a tree_paths list holds paths of parameter files (strings), got " + describe(entry))
          .with_file(file);
    fs::path listed(entry.as_string());
    fs::path resolved = listed.is_absolute() ? listed : (directory / listed).lexically_normal();
    if (!fs::exists(resolved, ec) || fs::is_directory(resolved, ec))
      throw UserError(where, "listed parameter file '" + entry.as_string() + "' " +
                                 (fs::exists(resolved, ec) ? "is a directory" : "does not exist") + " (looked for " +
                                 resolved.string() + ")")
          .with_file(file);
    collect_tree_files(resolved.string(), open_lists, out, lists);
  }
  open_lists.pop_back();
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Construction, copy, move.

ParamsTree::ParamsTree(const ParamsTree& other)
    : name_(other.name_),
      data_{other.data_[0], other.data_[1]},
      origins_{other.origins_[0], other.origins_[1]},
      files_(other.files_),
      inputs_(other.inputs_),
      empty_inputs_(other.empty_inputs_) {
  for (const auto& c : other.children_) children_.push_back(std::make_unique<ParamsTree>(*c));
  adopt_children();
}

ParamsTree& ParamsTree::operator=(const ParamsTree& other) {
  if (this != &other) *this = ParamsTree(other);  // the parent of *this stays
  return *this;
}

ParamsTree::ParamsTree(ParamsTree&& other) noexcept
    : name_(std::move(other.name_)),
      data_{std::move(other.data_[0]), std::move(other.data_[1])},
      origins_{std::move(other.origins_[0]), std::move(other.origins_[1])},
      files_(std::move(other.files_)),
      inputs_(std::move(other.inputs_)),
      empty_inputs_(std::move(other.empty_inputs_)),
      children_(std::move(other.children_)) {
  adopt_children();
}

ParamsTree& ParamsTree::operator=(ParamsTree&& other) noexcept {
  if (this == &other) return *this;
  name_ = std::move(other.name_);
  for (int i = 0; i < 2; ++i) {
    data_[i] = std::move(other.data_[i]);
    origins_[i] = std::move(other.origins_[i]);
  }
  files_ = std::move(other.files_);
  inputs_ = std::move(other.inputs_);
  empty_inputs_ = std::move(other.empty_inputs_);
  children_ = std::move(other.children_);
  adopt_children();
  return *this;
}

ParamsTree::~ParamsTree() = default;

void ParamsTree::adopt_children() {
  for (auto& c : children_) c->parent_ = this;
}

// ---------------------------------------------------------------------------------------------
// Reading, loading, merging.

void ParamsTree::build(ParamsTree& node, const Dict& dict, const std::string& file) {
  for (const auto& [key, value] : dict) {
    if (key == kDataKeys[0] || key == kDataKeys[1]) {
      const std::string here = join(node.path(), key);
      if (value.is_null())
        throw UserError(here, "must be a mapping, not null; write `" + key + ": {}` for no parameters").with_file(file);
      if (!value.is_dict()) throw UserError(here, "must be a mapping, got " + describe(value)).with_file(file);
      for (const auto& [k, v] : value.as_dict()) node.set_data(data_index(key), k, v, file);
      continue;
    }
    if (key.empty()) throw UserError(node.path(), "a tree node name cannot be empty").with_file(file);
    ParamsTree& child = node.add_child(key);
    if (!file.empty() && std::find(child.files_.begin(), child.files_.end(), file) == child.files_.end())
      child.files_.push_back(file);
    if (value.is_null()) continue;  // an empty node
    if (!value.is_dict())
      throw UserError(child.path(), "a tree node must be a mapping or empty (null), got " + describe(value))
          .with_file(file);
    build(child, value.as_dict(), file);
  }
}

ParamsTree ParamsTree::from_dict(const Dict& dict, const std::string& source) {
  ParamsTree tree;
  if (!source.empty()) tree.files_.push_back(source);
  build(tree, dict, source);
  return tree;
}

ParamsTree ParamsTree::read(const std::string& file) {
  Value content = read_yaml_file(file);
  if (content.is_null()) {
    ParamsTree tree;
    tree.files_.push_back(file);
    return tree;
  }
  if (content.is_list())
    throw UserError("",
                    "holds a list (a tree_paths file?); a parameter tree file holds a mapping. Use "
                    "ParamsTree::load for tree_paths lists")
        .with_file(file);
  if (!content.is_dict())
    throw UserError("", "a parameter tree file must hold a mapping, got " + describe(content)).with_file(file);
  return from_dict(content.as_dict(), file);
}

ParamsTree ParamsTree::load(const std::string& path, const std::vector<ParamsTree>& overrides) {
  std::vector<std::string> open_lists, lists;
  std::vector<TreeFile> files;
  collect_tree_files(path, open_lists, files, lists);
  std::vector<ParamsTree> file_trees;
  file_trees.reserve(files.size());
  for (const auto& [file, content] : files) {
    if (!content.is_null() && !content.is_dict())
      throw UserError("", "must hold a parameter tree (a mapping) or a tree_paths list, got " + describe(content))
          .with_file(file);
    file_trees.push_back(content.is_null() ? ParamsTree() : from_dict(content.as_dict(), file));
    if (content.is_null()) file_trees.back().files_.push_back(file);
  }
  std::vector<const ParamsTree*> trees;
  for (const auto& t : overrides) trees.push_back(&t);
  for (const auto& t : file_trees) trees.push_back(&t);
  ParamsTree merged = merge(trees);
  merged.name_ = path;
  for (const auto& list : lists) merged.inputs_.push_back(list);
  for (const auto& [file, content] : files) {
    merged.inputs_.push_back(file);
    if (content.is_null()) merged.empty_inputs_.push_back(file);
  }
  return merged;
}

ParamsTree ParamsTree::merge(const std::vector<const ParamsTree*>& trees) {
  for (const auto* t : trees)
    if (!t) throw InternalError("ParamsTree::merge: null tree");
  ParamsTree out;
  merge_into(out, trees);
  for (const auto* t : trees) {
    add_missing(out.inputs_, t->inputs_);
    add_missing(out.empty_inputs_, t->empty_inputs_);
  }
  return out;
}

void ParamsTree::merge_into(ParamsTree& out, const std::vector<const ParamsTree*>& nodes) {
  for (const auto* node : nodes) {
    for (int i = 0; i < 2; ++i) {
      for (const auto& [key, value] : node->data_[i]) {
        if (out.data_[i].contains(key)) continue;  // an earlier tree defined it: it wins whole
        const std::string* from = node->origins_[i].find(key);
        out.set_data(i, key, value, from ? *from : "");
      }
    }
    add_missing(out.files_, node->files_);
  }
  // Children: union in first-seen order, each merged with the same precedence.
  std::vector<std::string> order;
  std::map<std::string, std::vector<const ParamsTree*>> same_name;
  for (const auto* node : nodes) {
    for (const auto& c : node->children_) {
      auto& group = same_name[c->name_];
      if (group.empty()) order.push_back(c->name_);
      group.push_back(c.get());
    }
  }
  for (const auto& name : order) merge_into(out.add_child(name), same_name[name]);
}

// ---------------------------------------------------------------------------------------------
// Accessors and edits.

std::string ParamsTree::path() const {
  if (!parent_) return "";
  return join(parent_->path(), name_);
}

int ParamsTree::data_index(const std::string& data_key) {
  if (data_key == kDataKeys[0]) return 0;
  if (data_key == kDataKeys[1]) return 1;
  throw InternalError("unknown data key '" + data_key + "' (params or nest_params)");
}

const std::string* ParamsTree::Origins::find(const std::string& key) const {
  for (const auto& e : entries)
    if (e.first == key) return &e.second;
  return nullptr;
}

void ParamsTree::Origins::set(const std::string& key, const std::string& file) {
  for (auto& e : entries) {
    if (e.first == key) {
      e.second = file;
      return;
    }
  }
  entries.emplace_back(key, file);
}

void ParamsTree::set_data(int index, const std::string& key, Value value, const std::string& origin) {
  data_[index].set(key, std::move(value));
  origins_[index].set(key, origin);
}

void ParamsTree::attribute_to(const std::string& file) {
  if (std::find(files_.begin(), files_.end(), file) == files_.end()) files_.insert(files_.begin(), file);
  for (int i = 0; i < 2; ++i)
    for (const auto& [key, value] : data_[i]) origins_[i].set(key, file);
  ParamsTree* root = this;
  while (root->parent_) root = root->parent_;
  if (std::find(root->inputs_.begin(), root->inputs_.end(), file) == root->inputs_.end()) root->inputs_.push_back(file);
}

void ParamsTree::set_own_param(const std::string& key, Value value, const std::string& origin) {
  set_data(0, key, std::move(value), origin);
}

void ParamsTree::set_own_nest_param(const std::string& key, Value value, const std::string& origin) {
  set_data(1, key, std::move(value), origin);
}

Dict ParamsTree::inherited(int index) const {
  std::vector<const ParamsTree*> chain;
  for (const ParamsTree* n = this; n; n = n->parent_) chain.push_back(n);
  Dict view;
  // Root first: a key keeps the position of its farthest definition, the nearest value wins.
  for (auto it = chain.rbegin(); it != chain.rend(); ++it)
    for (const auto& [key, value] : (*it)->data_[index]) view.set(key, value);
  return view;
}

Dict ParamsTree::params() const {
  return inherited(0);
}
Dict ParamsTree::nest_params() const {
  return inherited(1);
}

std::vector<const ParamsTree*> ParamsTree::children() const {
  std::vector<const ParamsTree*> out;
  for (const auto& c : children_) out.push_back(c.get());
  return out;
}

std::vector<ParamsTree*> ParamsTree::children() {
  std::vector<ParamsTree*> out;
  for (auto& c : children_) out.push_back(c.get());
  return out;
}

const ParamsTree* ParamsTree::child(const std::string& name) const {
  for (const auto& c : children_)
    if (c->name_ == name) return c.get();
  return nullptr;
}

ParamsTree* ParamsTree::child(const std::string& name) {
  for (auto& c : children_)
    if (c->name_ == name) return c.get();
  return nullptr;
}

ParamsTree& ParamsTree::add_child(const std::string& name) {
  if (name == kDataKeys[0] || name == kDataKeys[1])
    throw InternalError("'" + name + "' is a data key, not a child name");
  if (ParamsTree* existing = child(name)) return *existing;
  children_.push_back(std::make_unique<ParamsTree>(name));
  children_.back()->parent_ = this;
  return *children_.back();
}

void ParamsTree::collect_leaves(std::vector<const ParamsTree*>& out) const {
  for (const auto& c : children_) {
    if (c->children_.empty()) {
      out.push_back(c.get());
    } else {
      c->collect_leaves(out);
    }
  }
}

std::vector<const ParamsTree*> ParamsTree::leaves() const {
  std::vector<const ParamsTree*> out;
  collect_leaves(out);
  return out;
}

std::vector<std::pair<std::string, const ParamsTree*>> ParamsTree::named_leaves() const {
  std::vector<std::pair<std::string, const ParamsTree*>> out;
  for (const auto* leaf : leaves()) out.emplace_back(leaf->name_, leaf);
  return out;
}

std::string ParamsTree::origin(const std::string& data_key, const std::string& key) const {
  const int index = data_index(data_key);
  for (const ParamsTree* n = this; n; n = n->parent_) {
    if (!n->data_[index].contains(key)) continue;
    const std::string* from = n->origins_[index].find(key);
    return from ? *from : "";
  }
  return "";
}

std::string ParamsTree::file() const {
  return files_.empty() ? "" : files_.front();
}

// ---------------------------------------------------------------------------------------------
// Output and comparison.

Dict ParamsTree::as_dict() const {
  Dict out;
  out.set(kDataKeys[0], Value(data_[0]));
  out.set(kDataKeys[1], Value(data_[1]));
  for (const auto& c : children_) out.set(c->name_, Value(c->as_dict()));
  return out;
}

std::string ParamsTree::to_yaml() const {
  return io::dump_yaml(io::YamlNode(Value(as_dict())));
}

void ParamsTree::write(const std::string& file) const {
  io::write_yaml_file(file, io::YamlNode(Value(as_dict())));
}

bool ParamsTree::operator==(const ParamsTree& other) const {
  for (int i = 0; i < 2; ++i)
    if (!equal_unordered(Value(data_[i]), Value(other.data_[i]))) return false;
  if (children_.size() != other.children_.size()) return false;
  for (const auto& c : children_) {
    const ParamsTree* match = other.child(c->name_);
    if (!match || !(*c == *match)) return false;
  }
  return true;
}

}  // namespace nestling::frontend
