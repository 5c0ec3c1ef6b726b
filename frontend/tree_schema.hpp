// deNEST's validation rules for tree nodes: reserved, mandatory and optional keys of `params`
// and `nest_params`, and the allowed children of a subtree. Every error names the file and the
// tree path of the offending item, e.g. "layers.yml: network/layers/l1/nest_params/rows: …".
#pragma once

#include <map>
#include <string>
#include <vector>

#include "frontend/params_tree.hpp"
#include "nestling/errors.hpp"
#include "nestling/value.hpp"

namespace nestling::frontend {

// A UserError located at `node`'s data key `key` (data_key is "params" or "nest_params"; both may
// be empty to point at the node itself). A key `node` inherits is located at the template node
// that writes it, and the message says which node inherits it.
[[noreturn]] void tree_error(const ParamsTree& node, const std::string& data_key, const std::string& key,
                             const std::string& message);
UserError located(const UserError& e, const ParamsTree& node, const std::string& data_key,
                  const std::string& key = "");

struct KeyRules {
  std::vector<std::string> mandatory;
  std::vector<std::pair<std::string, Value>> optional;  // key and default
  std::vector<std::string> reserved;
  bool open = false;  // any other key is accepted (most nest_params)
};

// Checks `values` (a node's inherited params or nest_params) and returns them with the optional
// defaults filled in. Defaults never go back into the tree.
Dict check_keys(const ParamsTree& node, const std::string& data_key, const Dict& values, const KeyRules& rules);
// Trees mark values that every leaf must set with the string 'mandatory' on template nodes (the
// sleep model's trees do); a leaf that still holds one is an error naming where it was written.
void reject_placeholders(const ParamsTree& node, const std::string& data_key, const Dict& values);

// The value of `key` as a particular type, with the error located in the tree.
std::string string_value(const ParamsTree& node, const std::string& data_key, const Dict& values,
                         const std::string& key);
bool bool_value(const ParamsTree& node, const std::string& data_key, const Dict& values, const std::string& key);
std::vector<std::string> string_list(const ParamsTree& node, const std::string& data_key, const Value& v,
                                     const std::string& key);

// Only `allowed` children; missing ones are added empty.
void check_children(ParamsTree& node, const std::vector<std::string>& allowed);
// Accepts deNEST's older key `old_key` in mapping `d` (found at data_key/where) as `key`; both is an error.
void adopt_older_name(Dict& d, const std::string& old_key, const std::string& key, const ParamsTree& node,
                      const std::string& data_key, const std::string& where);

}  // namespace nestling::frontend
