// The two kinds of error nestling raises.
//
// UserError: bad input (a parameter, a tree, a file). It carries the path to the offending
// item, e.g. "network/layers/l1/nest_params/rows" or "ht_neuron/tau_m", and the CLI turns it
// into one line and exit status 2.
// InternalError: a broken invariant inside nestling, i.e. a bug.
#pragma once

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

// A run was asked to stop (SIGINT/SIGTERM); raised at a slice boundary after recorders flushed.
class Interrupted : public std::runtime_error {
 public:
  Interrupted() : std::runtime_error("interrupted") {}
};

}  // namespace nestling
