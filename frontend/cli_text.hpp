// Text layout for the command line: lines wrapped at word boundaries, tables whose columns fit
// their widest entry, the terminal's width, and one-line messages.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace nestling::cli {

// The width to lay text out for: the terminal's if stdout is one, else $COLUMNS, else 100.
int terminal_width();

// `text` broken into lines of at most `width` characters at spaces (a longer word stands alone).
std::vector<std::string> wrap(const std::string& text, std::size_t width);

// Rows of cells printed with each column as wide as its widest cell (two spaces between
// columns). The last column may wrap at `width` (0: never), continuing under itself, and keeps
// at least 30 columns however wide the others are. A header of empty cells is not printed.
class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header, std::vector<bool> right_aligned = {});
  void add(std::vector<std::string> row);
  void print(std::ostream& os, std::size_t width = 0, const std::string& indent = "") const;
  bool empty() const { return rows_.size() <= 1; }

 private:
  std::vector<std::vector<std::string>> rows_;
  std::vector<bool> right_;
};

// A message made safe for one line of a terminal: control characters escaped (\n, \t, \xNN) and
// every name longer than 120 characters (a run without spaces or '/') cut in the middle.
std::string one_line(const std::string& message);

}  // namespace nestling::cli
