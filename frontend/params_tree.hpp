// deNEST's parameter tree: nodes with two data dicts (`params`, `nest_params`) and named
// children, read from YAML files, merged, inherited and written back (spec denest.md §1).
//
// - Reading: a file is a mapping; `params` and `nest_params` are a node's data (mappings; a
//   missing key counts as {}); every other key names a child, whose value is a mapping or empty
//   (null / {}). Scalars resolve as with PyYAML's safe loader (yaml_values.hpp). Integer node
//   names are kept in their decimal string form.
// - Inheritance: params() / nest_params() give the view a node sees: per top-level key, the
//   nearest definition on the way to the root wins, whole (no deep merge); an explicit null is a
//   definition. The two data dicts inherit independently. View order: root's keys first.
// - Merge: at each path, the per-key union of own data, the earliest tree winning the whole
//   value of a key; children are unioned recursively in first-seen order (deNEST uses a Python
//   set, i.e. no stable order).
// - Leaves: leaves() never includes the node itself (deNEST's root=False), depth-first in
//   child order.
// - Writing: every node with explicit `params:` and `nest_params:` before its children, in
//   PyYAML's default dumper format (io/yaml_writer.hpp); it reads back to an equal tree.
// - Equality (operator==) compares own data and children like deNEST (Python dicts): key
//   order does not matter, names of the compared roots and parents are ignored. Unlike Python,
//   1 and 1.0 differ.
// - Origins: each own data key remembers the file it came from (merge keeps the winning
//   tree's file), so errors can say where a value was defined.
//
// Errors are UserErrors naming the file and the tree path ("network/layers/l1/params").
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "nestling/value.hpp"

namespace nestling::frontend {

class ParamsTree {
 public:
  ParamsTree() = default;
  explicit ParamsTree(std::string name) : name_(std::move(name)) {}
  // Copies are deep; a copy has no parent (so, as in deNEST, data inherited from above the
  // copied node is not part of the copy).
  ParamsTree(const ParamsTree& other);
  ParamsTree& operator=(const ParamsTree& other);
  ParamsTree(ParamsTree&& other) noexcept;
  ParamsTree& operator=(ParamsTree&& other) noexcept;
  ~ParamsTree();

  // One YAML file (an empty file is an empty tree). The root's name is empty.
  static ParamsTree read(const std::string& file);
  // `path` is either a tree_paths list (a YAML list of tree files, relative to the list's
  // directory; entries may be tree_paths lists themselves, cycles are errors) or one tree file;
  // the content decides. Result: merge(overrides..., files in list order...), so the first
  // override wins, then the earliest file. The root is named `path`.
  static ParamsTree load(const std::string& path, const std::vector<ParamsTree>& overrides = {});
  // A fresh tree; the earliest tree wins per node and key. The root's name is empty.
  static ParamsTree merge(const std::vector<const ParamsTree*>& trees);
  // A tree from a nested dict, e.g. {simulation: {params: {output_dir: X}}}, validated like a
  // file. `source` stands in for a file name in origins and errors (e.g. "command line").
  static ParamsTree from_dict(const Dict& dict, const std::string& source = "");

  const std::string& name() const { return name_; }
  const ParamsTree* parent() const { return parent_; }
  // Names from below the root down to this node: "network/layers/l1"; "" for the root.
  std::string path() const;

  const Dict& own_params() const { return data_[0]; }
  const Dict& own_nest_params() const { return data_[1]; }
  // The inherited views (see above).
  Dict params() const;
  Dict nest_params() const;

  std::vector<const ParamsTree*> children() const;
  std::vector<ParamsTree*> children();
  const ParamsTree* child(const std::string& name) const;
  ParamsTree* child(const std::string& name);
  // Appends an empty child and returns it; returns the existing child if there is one.
  ParamsTree& add_child(const std::string& name);
  // Sets a key of this node's own data (an existing key keeps its position). `origin` is
  // recorded as where the value came from.
  void set_own_param(const std::string& key, Value value, const std::string& origin = "");
  void set_own_nest_param(const std::string& key, Value value, const std::string& origin = "");

  // Records `file` as where this node and each of its own data keys came from (a tree built from
  // a dict that was read elsewhere, e.g. by Python), and on the root as an input of the run.
  void attribute_to(const std::string& file);

  // All leaves below this node (never the node itself), depth-first in child order.
  std::vector<const ParamsTree*> leaves() const;
  std::vector<std::pair<std::string, const ParamsTree*>> named_leaves() const;

  // The file that defined the value this node sees for `key` of `data_key` ("params" or
  // "nest_params"), following inheritance and merge; "" if no node defines the key or the value
  // was set without an origin.
  std::string origin(const std::string& data_key, const std::string& key) const;
  // The first file (in merge precedence) that defines this node; "" for nodes added in code.
  std::string file() const;
  // All files that define this node, in merge precedence.
  const std::vector<std::string>& files() const { return files_; }
  // Every file load() read for this tree (tree_paths lists and tree files; merge() unions
  // them), and those of them that held no tree at all (empty, or only comments).
  const std::vector<std::string>& inputs() const { return inputs_; }
  const std::vector<std::string>& empty_inputs() const { return empty_inputs_; }

  // {params: …, nest_params: …, <child>: {…}, …} with explicit data dicts on every node.
  Dict as_dict() const;
  // The YAML deNEST writes as parameter_tree.yml (PyYAML default dumper, keys not sorted).
  std::string to_yaml() const;
  void write(const std::string& file) const;

  bool operator==(const ParamsTree& other) const;

 private:
  struct Origins {
    std::vector<std::pair<std::string, std::string>> entries;  // key → file, in key order
    const std::string* find(const std::string& key) const;
    void set(const std::string& key, const std::string& file);
  };

  static int data_index(const std::string& data_key);
  static void build(ParamsTree& node, const Dict& dict, const std::string& file);
  static void merge_into(ParamsTree& out, const std::vector<const ParamsTree*>& nodes);
  void set_data(int index, const std::string& key, Value value, const std::string& origin);
  Dict inherited(int index) const;
  void collect_leaves(std::vector<const ParamsTree*>& out) const;
  void adopt_children();

  std::string name_;
  ParamsTree* parent_ = nullptr;
  Dict data_[2];  // params, nest_params
  Origins origins_[2];
  std::vector<std::string> files_;
  std::vector<std::string> inputs_, empty_inputs_;  // the root's only
  std::vector<std::unique_ptr<ParamsTree>> children_;
};

}  // namespace nestling::frontend
