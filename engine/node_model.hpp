// Node models: named prototypes from which NodeGroups are created.
//
// A model is a base model (ht_neuron, parrot_neuron, ...) or a named copy of one with changed
// defaults (NEST's CopyModel). Each model class G (a NodeGroup subclass) provides:
//   struct Prototype;                 // defaults of parameters and initial state
//   static constexpr NodeKind node_kind;
//   static std::vector<ParamSpec> parameter_specs();
//   static void apply(Prototype&, const Dict&, const std::string& model);  // validates, throws
//   static Dict describe(const Prototype&);
//   static std::string documentation();
//   G(const NodeModel&, NodeId first, std::size_t n, const Prototype&);
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/node_group.hpp"

namespace nestling {

// The static model interface of a group whose parameters a ParamBinder describes: G provides
// `using Prototype = ...;` and `static const ParamBinder<Prototype>& binder();`, and may hide
// any of these with its own (e.g. apply() with cross-parameter checks).
template <class G>
struct BinderModel {
  static std::vector<ParamSpec> parameter_specs() { return G::binder().specs(); }
  template <class P>
  static void apply(P& p, const Dict& d, const std::string& model) {
    apply_parameters(G::binder(), p, d, model);
  }
  template <class P>
  static Dict describe(const P& p) {
    return describe_parameters(G::binder(), p);
  }
  static std::vector<std::string> recordable_names() { return {}; }
  static Dict receptor_type_names() { return {}; }
};

class NodeModel {
 public:
  NodeModel(std::string name, std::string base) : name_(std::move(name)), base_(std::move(base)) {}
  virtual ~NodeModel() = default;

  const std::string& name() const { return name_; }
  const std::string& base_name() const { return base_; }

  virtual NodeKind kind() const = 0;
  virtual std::vector<ParamSpec> parameters() const = 0;
  virtual Dict defaults() const = 0;
  virtual void set_defaults(const Dict& d) = 0;  // transactional; throws UserError
  virtual std::unique_ptr<NodeModel> copy(const std::string& new_name) const = 0;
  // The group of nodes [first, first + n), laid out over the virtual processes; it holds the
  // state of this process's nodes only.
  virtual std::unique_ptr<NodeGroup> create(NodeId first, std::size_t n, const VpLayout& layout) const = 0;
  virtual std::string documentation() const = 0;
  virtual std::vector<std::string> recordables() const { return {}; }
  virtual Dict receptor_types() const { return {}; }
  // A lower bound of the memory one node needs, to refuse networks that cannot fit.
  virtual std::size_t min_bytes_per_node() const = 0;

 private:
  std::string name_;
  std::string base_;
};

template <class G>
class NodeModelOf final : public NodeModel {
 public:
  using Prototype = typename G::Prototype;

  NodeModelOf(std::string name, std::string base, Prototype proto)
      : NodeModel(std::move(name), std::move(base)), proto_(std::move(proto)) {}
  explicit NodeModelOf(const std::string& name) : NodeModelOf(name, name, Prototype{}) {}

  NodeKind kind() const override { return G::node_kind; }
  std::vector<ParamSpec> parameters() const override { return G::parameter_specs(); }
  Dict defaults() const override { return G::describe(proto_); }
  void set_defaults(const Dict& d) override {
    Prototype p = proto_;
    G::apply(p, d, name());
    proto_ = std::move(p);
  }
  std::unique_ptr<NodeModel> copy(const std::string& new_name) const override {
    return std::make_unique<NodeModelOf<G>>(new_name, base_name(), proto_);
  }
  std::unique_ptr<NodeGroup> create(NodeId first, std::size_t n, const VpLayout& layout) const override {
    return std::make_unique<G>(*this, first, n, proto_, layout);
  }
  std::string documentation() const override { return G::documentation(); }
  std::vector<std::string> recordables() const override { return G::recordable_names(); }
  Dict receptor_types() const override { return G::receptor_type_names(); }
  std::size_t min_bytes_per_node() const override { return sizeof(Prototype) + sizeof(TargetInfo); }

  const Prototype& prototype() const { return proto_; }

 private:
  Prototype proto_;
};

}  // namespace nestling
