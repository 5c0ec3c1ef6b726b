// The two kinds of error nestling raises.
//
// UserError: bad input (a parameter, a tree, a file). It carries the path to the offending
// item, e.g. "network/layers/l1/nest_params/rows" or "ht_neuron/tau_m", and the CLI turns it
// into one line and exit status 2.
// InternalError: a broken invariant inside nestling, i.e. a bug.
// IntegrationError: a node's dynamics could not be integrated any further; the CLI reports it
// in one line and exits with status 3.
// PeerFailure: in a run on several MPI processes, another process failed (and reported why);
// this process stopped at the same slice.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace nestling {

class UserError : public std::runtime_error {
 public:
  UserError(std::string path, const std::string& message);
  explicit UserError(const std::string& message) : UserError("", message) {}

  const std::string& path() const { return path_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose path is `prefix/path` (used when an error travels outward).
  UserError with_prefix(const std::string& prefix) const;
  UserError with_file(const std::string& file) const;
  const std::string& file() const { return file_; }

 private:
  std::string path_;
  std::string message_;
  std::string file_;
  std::string what_;
  void rebuild();
};

class InternalError : public std::logic_error {
 public:
  explicit InternalError(const std::string& message) : std::logic_error("internal error: " + message) {}
};

// A node's dynamics could not be integrated any further: its step size collapsed or its state
// stopped being finite (see engine/ode). The simulation stops at the start of the slice in which
// it happened, so what was recorded before is complete; the network cannot simulate on.
class IntegrationError : public std::runtime_error {
 public:
  IntegrationError(std::uint64_t node, std::string model, double time_ms, std::string variable, double value,
                   std::string reason);

  std::uint64_t node() const { return node_; }
  const std::string& model() const { return model_; }
  double time_ms() const { return time_ms_; }
  const std::string& variable() const { return variable_; }  // the state variable that diverged
  double value() const { return value_; }
  const std::string& reason() const { return reason_; }
  // A copy whose message also says where the node is, e.g. "layer l1, population l1_exc".
  IntegrationError located(const std::string& where) const;

 private:
  std::string describe() const;
  std::string where_;
  std::uint64_t node_;
  std::string model_;
  double time_ms_;
  std::string variable_;
  double value_;
  std::string reason_;
};

// A run was asked to stop (SIGINT/SIGTERM); raised at a slice boundary after recorders flushed.
class Interrupted : public std::runtime_error {
 public:
  Interrupted() : std::runtime_error("interrupted") {}
};

class PeerFailure : public std::runtime_error {
 public:
  PeerFailure() : std::runtime_error("another MPI process of the run failed; it reported why") {}
};

}  // namespace nestling
