#include "nestling/errors.hpp"

#include <iomanip>
#include <sstream>

namespace nestling {

UserError::UserError(std::string path, const std::string& message)
    : std::runtime_error(message), path_(std::move(path)), message_(message) {
  rebuild();
}

void UserError::rebuild() {
  what_.clear();
  if (!file_.empty()) what_ += file_ + ": ";
  if (!path_.empty()) what_ += path_ + ": ";
  what_ += message_;
  static_cast<std::runtime_error&>(*this) = std::runtime_error(what_);
}

UserError UserError::with_prefix(const std::string& prefix) const {
  UserError copy = *this;
  if (prefix.empty()) return copy;
  copy.path_ = path_.empty() ? prefix : prefix + "/" + path_;
  copy.rebuild();
  return copy;
}

UserError UserError::with_file(const std::string& file) const {
  UserError copy = *this;
  if (copy.file_.empty()) copy.file_ = file;
  copy.rebuild();
  return copy;
}

IntegrationError::IntegrationError(std::uint64_t node, std::string model, double time_ms, std::string variable,
                                   double value, std::string reason)
    : std::runtime_error(""),
      node_(node),
      model_(std::move(model)),
      time_ms_(time_ms),
      variable_(std::move(variable)),
      value_(value),
      reason_(std::move(reason)) {
  static_cast<std::runtime_error&>(*this) = std::runtime_error(describe());
}

IntegrationError IntegrationError::located(const std::string& where) const {
  IntegrationError copy = *this;
  copy.where_ = where;
  static_cast<std::runtime_error&>(copy) = std::runtime_error(copy.describe());
  return copy;
}

std::string IntegrationError::describe() const {
  std::ostringstream os;
  os << "node " << node_ << " (" << model_ << (where_.empty() ? "" : ", " + where_) << ") diverged at " << std::fixed
     << std::setprecision(3) << time_ms_ << " ms: " << reason_ << "; state variable " << variable_ << " = "
     << std::defaultfloat << std::setprecision(6) << value_;
  return os.str();
}

}  // namespace nestling
