#pragma once
// One UTF-8 decoding rule for the YAML reader and writer.
#include <cstddef>
#include <string_view>

namespace nestling::io {

struct Utf8Char {
  char32_t code_point;
  std::size_t length;  // bytes of the sequence; 1 for a stray or truncated byte
  bool valid;          // well formed, shortest form, no surrogate, at most U+10FFFF
};

// Decodes the character starting at s[i] (i < s.size()).
inline Utf8Char decode_utf8_at(std::string_view s, std::size_t i) {
  const auto lead = static_cast<unsigned char>(s[i]);
  const std::size_t n = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : (lead >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) return {lead, 1, false};
  char32_t cp = n == 1 ? lead : lead & (0x7Fu >> n);
  for (std::size_t k = 1; k < n; ++k) {
    const auto next = static_cast<unsigned char>(s[i + k]);
    if ((next >> 6) != 0x2) return {lead, 1, false};
    cp = (cp << 6) | (next & 0x3Fu);
  }
  static constexpr char32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};  // shorter values are overlong
  const bool valid = cp >= smallest[n] && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
  return {cp, n, valid};
}

}  // namespace nestling::io
