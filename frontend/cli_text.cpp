#include "frontend/cli_text.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ostream>

namespace nestling::cli {

namespace {

// Characters on screen: UTF-8 continuation bytes take no column.
std::size_t display_width(const std::string& s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string pad(const std::string& s, std::size_t width, bool right) {
  const std::size_t w = display_width(s);
  if (w >= width) return s;
  return right ? std::string(width - w, ' ') + s : s + std::string(width - w, ' ');
}

constexpr std::size_t kLongestName = 120;

}  // namespace

int terminal_width() {
  winsize ws{};
  if (::isatty(STDOUT_FILENO) && ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20) return ws.ws_col;
  if (const char* columns = std::getenv("COLUMNS")) {
    const int n = std::atoi(columns);
    if (n >= 20) return n;
  }
  return 100;
}

std::vector<std::string> wrap(const std::string& text, std::size_t width) {
  std::vector<std::string> lines;
  std::string line;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t start = text.find_first_not_of(' ', pos);
    if (start == std::string::npos) break;
    const std::size_t end = std::min(text.find(' ', start), text.size());
    const std::string word = text.substr(start, end - start);
    if (!line.empty() && display_width(line) + 1 + display_width(word) > width) {
      lines.push_back(line);
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
    pos = end;
  }
  if (!line.empty() || lines.empty()) lines.push_back(line);
  return lines;
}

TextTable::TextTable(std::vector<std::string> header, std::vector<bool> right_aligned)
    : right_(std::move(right_aligned)) {
  right_.resize(header.size(), false);
  rows_.push_back(std::move(header));
}

void TextTable::add(std::vector<std::string> row) {
  row.resize(rows_.front().size());
  rows_.push_back(std::move(row));
}

void TextTable::print(std::ostream& os, std::size_t width, const std::string& indent) const {
  const std::size_t columns = rows_.front().size();
  std::vector<std::size_t> widths(columns, 0);
  for (const auto& row : rows_)
    for (std::size_t c = 0; c < columns; ++c) widths[c] = std::max(widths[c], display_width(row[c]));
  std::size_t lead = display_width(indent);  // where the last column starts
  for (std::size_t c = 0; c + 1 < columns; ++c) lead += widths[c] + 2;
  const bool headless =
      std::all_of(rows_.front().begin(), rows_.front().end(), [](const auto& c) { return c.empty(); });
  for (std::size_t r = headless ? 1 : 0; r < rows_.size(); ++r) {
    const auto& row = rows_[r];
    std::string line = indent;
    for (std::size_t c = 0; c + 1 < columns; ++c) line += pad(row[c], widths[c], right_[c]) + "  ";
    const std::string& last = row[columns - 1];
    if (width == 0 || lead + display_width(last) <= width || right_[columns - 1]) {
      os << line << pad(last, right_[columns - 1] ? widths[columns - 1] : 0, right_[columns - 1]) << "\n";
      continue;
    }
    constexpr std::size_t kNarrowest = 30;
    if (width >= lead + kNarrowest) {
      const auto pieces = wrap(last, width - lead);
      for (std::size_t k = 0; k < pieces.size(); ++k) os << (k == 0 ? line : std::string(lead, ' ')) << pieces[k] << "\n";
      continue;
    }
    // Long leading columns leave too little room: the last column goes below them, indented.
    while (!line.empty() && line.back() == ' ') line.pop_back();
    os << line << "\n";
    const std::size_t hang = display_width(indent) + 4;
    for (const auto& piece : wrap(last, std::max(width > hang ? width - hang : 0, kNarrowest)))
      os << std::string(hang, ' ') << piece << "\n";
  }
}

std::string one_line(const std::string& message) {
  std::string escaped;
  for (unsigned char c : message) {
    if (c == '\n')
      escaped += "\\n";
    else if (c == '\t')
      escaped += "\\t";
    else if (c == '\r')
      escaped += "\\r";
    else if (c < 0x20 || c == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      escaped += buf;
    } else {
      escaped += static_cast<char>(c);
    }
  }
  // Names are the runs between spaces and slashes; a huge one keeps its two ends.
  std::string out;
  std::size_t run_start = 0;
  auto flush_run = [&](std::size_t end) {
    const std::string run = escaped.substr(run_start, end - run_start);
    if (run.size() <= kLongestName) {
      out += run;
      return;
    }
    std::size_t head = 60, tail = 40;
    while (head > 0 && (static_cast<unsigned char>(run[head]) & 0xC0) == 0x80) --head;  // whole UTF-8 characters
    while (tail > 0 && (static_cast<unsigned char>(run[run.size() - tail]) & 0xC0) == 0x80) --tail;
    out +=
        run.substr(0, head) + "...[" + std::to_string(run.size()) + " characters]..." + run.substr(run.size() - tail);
  };
  for (std::size_t i = 0; i < escaped.size(); ++i) {
    if (escaped[i] == ' ' || escaped[i] == '/') {
      flush_run(i);
      out += escaped[i];
      run_start = i + 1;
    }
  }
  flush_run(escaped.size());
  return out;
}

}  // namespace nestling::cli
