#include "nestling/errors.hpp"

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

}  // namespace nestling
