#include "io/npy.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <sstream>

#include "nestling/errors.hpp"

namespace nestling::io {

namespace {

[[noreturn]] void fail(const std::string& source, const std::string& message) {
  throw UserError("", message).with_file(source);
}

// The header is a Python dict literal: {'descr': '<f8', 'fortran_order': False, 'shape': (5, 5, 1), }
struct Header {
  std::optional<std::string> descr;
  std::optional<bool> fortran_order;
  std::optional<std::vector<std::size_t>> shape;
};

class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& source) : text_(text), source_(source) {}

  Header parse() {
    Header header;
    expect('{');
    while (true) {
      skip_space();
      if (eat('}')) break;
      std::string key = parse_string();
      expect(':');
      skip_space();
      if (key == "descr") {
        if (peek() == '[') error("structured dtypes (a list as 'descr') are not supported");
        header.descr = parse_string();
      } else if (key == "fortran_order") {
        header.fortran_order = parse_bool();
      } else if (key == "shape") {
        header.shape = parse_shape();
      } else {
        error("unexpected key '" + key + "'");
      }
      skip_space();
      if (eat('}')) break;
      expect(',');
    }
    return header;
  }

 private:
  [[noreturn]] void error(const std::string& what) {
    fail(source_, "malformed .npy header: " + what + " in " + std::string(text_));
  }
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  bool eat(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n')) ++pos_;
  }
  void expect(char c) {
    skip_space();
    if (!eat(c)) error(std::string("expected '") + c + "'");
  }
  std::string parse_string() {
    skip_space();
    char quote = peek();
    if (quote != '\'' && quote != '"') error("expected a quoted string");
    ++pos_;
    std::size_t end = text_.find(quote, pos_);
    if (end == std::string_view::npos) error("unterminated string");
    std::string s(text_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return s;
  }
  bool parse_bool() {
    if (text_.substr(pos_, 4) == "True") {
      pos_ += 4;
      return true;
    }
    if (text_.substr(pos_, 5) == "False") {
      pos_ += 5;
      return false;
    }
    error("expected True or False for 'fortran_order'");
  }
  std::vector<std::size_t> parse_shape() {
    expect('(');
    std::vector<std::size_t> shape;
    while (true) {
      skip_space();
      if (eat(')')) break;
      std::size_t start = pos_;
      std::uint64_t value = 0;
      while (peek() >= '0' && peek() <= '9') {
        if (value > std::numeric_limits<std::uint64_t>::max() / 10) error("dimension too large");
        value = value * 10 + static_cast<std::uint64_t>(peek() - '0');
        ++pos_;
      }
      if (pos_ == start) error("expected a non-negative integer in 'shape'");
      eat('L');  // Python 2 long suffix
      shape.push_back(static_cast<std::size_t>(value));
      skip_space();
      if (eat(')')) break;
      if (!eat(',')) error("expected ',' or ')' in 'shape'");
    }
    return shape;
  }

  std::string_view text_;
  const std::string& source_;
  std::size_t pos_ = 0;
};

enum class Kind { real, signed_int, unsigned_int, boolean };

struct DType {
  Kind kind;
  std::size_t size;
  bool big_endian;
};

DType parse_dtype(const std::string& descr, const std::string& source) {
  const std::string supported = "supported: f8, f4, f2, i8, i4, i2, i1, u8, u4, u2, u1, b1";
  if (descr.find('O') != std::string::npos)
    fail(source, "dtype '" + descr + "': pickled arrays (dtype object) are not supported");
  if (descr.size() < 3 || std::string("<>|=").find(descr[0]) == std::string::npos)
    fail(source, "unsupported dtype '" + descr + "'; " + supported);
  DType t{Kind::real, 0, descr[0] == '>'};
  const std::string code = descr.substr(1);
  static const std::map<std::string, std::pair<Kind, std::size_t>> known = {
      {"f8", {Kind::real, 8}},         {"f4", {Kind::real, 4}},         {"f2", {Kind::real, 2}},
      {"i8", {Kind::signed_int, 8}},   {"i4", {Kind::signed_int, 4}},   {"i2", {Kind::signed_int, 2}},
      {"i1", {Kind::signed_int, 1}},   {"u8", {Kind::unsigned_int, 8}}, {"u4", {Kind::unsigned_int, 4}},
      {"u2", {Kind::unsigned_int, 2}}, {"u1", {Kind::unsigned_int, 1}}, {"b1", {Kind::boolean, 1}}};
  auto it = known.find(code);
  if (it == known.end()) fail(source, "unsupported dtype '" + descr + "'; " + supported);
  t.kind = it->second.first;
  t.size = it->second.second;
  return t;
}

// Reads one element as an unsigned integer of t.size bytes in the file's byte order.
std::uint64_t load_bits(const unsigned char* p, const DType& t) {
  std::uint64_t bits = 0;
  for (std::size_t k = 0; k < t.size; ++k) {
    std::size_t byte = t.big_endian ? k : t.size - 1 - k;
    bits = (bits << 8) | p[byte];
  }
  return bits;
}

double half_to_double(std::uint16_t h) {
  int exponent = (h >> 10) & 0x1F;
  int mantissa = h & 0x3FF;
  double sign = (h & 0x8000) ? -1.0 : 1.0;
  if (exponent == 0) return sign * std::ldexp(mantissa, -24);
  if (exponent == 31) return mantissa ? std::numeric_limits<double>::quiet_NaN() : sign * HUGE_VAL;
  return sign * std::ldexp(mantissa + 1024, exponent - 25);
}

double to_double(const unsigned char* p, const DType& t) {
  std::uint64_t bits = load_bits(p, t);
  switch (t.kind) {
    case Kind::boolean:
      return bits != 0 ? 1.0 : 0.0;
    case Kind::unsigned_int:
      return static_cast<double>(bits);
    case Kind::signed_int: {
      // Sign-extend from t.size bytes.
      unsigned shift = static_cast<unsigned>(64 - 8 * t.size);
      return static_cast<double>(static_cast<std::int64_t>(bits << shift) >> shift);
    }
    case Kind::real:
      if (t.size == 8) return std::bit_cast<double>(bits);
      if (t.size == 4) return static_cast<double>(std::bit_cast<float>(static_cast<std::uint32_t>(bits)));
      return half_to_double(static_cast<std::uint16_t>(bits));
  }
  return 0.0;
}

std::uint32_t little_endian(std::string_view bytes, std::size_t at, std::size_t width) {
  std::uint32_t v = 0;
  for (std::size_t k = 0; k < width; ++k)
    v |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + k])) << (8 * k);
  return v;
}

constexpr std::size_t kPreamble = 12;  // magic (6), version (2), header length (2 or 4)

// From the first bytes of a file (at least kPreamble, or all of a shorter file): where the
// header ends.
std::size_t header_end(std::string_view start, const std::string& source) {
  static const std::string magic = "\x93NUMPY";
  if (start.size() < 8 || start.compare(0, magic.size(), magic) != 0)
    fail(source, "not a .npy file (the file does not start with the magic string \\x93NUMPY)");
  const int major = static_cast<unsigned char>(start[6]);
  const int minor = static_cast<unsigned char>(start[7]);
  if (!((major == 1 || major == 2 || major == 3) && minor == 0))
    fail(source, "unsupported .npy format version " + std::to_string(major) + "." + std::to_string(minor) +
                     " (supported: 1.0, 2.0, 3.0)");
  const std::size_t length_width = major == 1 ? 2 : 4;
  if (start.size() < 8 + length_width) fail(source, "truncated .npy header");
  const std::size_t length = little_endian(start, 8, length_width);
  if (length > kMaxNpyHeader)
    fail(source, "the .npy header is " + std::to_string(length) + " bytes long; nestling reads headers of up to " +
                     std::to_string(kMaxNpyHeader) + " bytes (numpy writes a few hundred)");
  return 8 + length_width + length;
}

// The checked header, from the file's first header_end() bytes and its size.
NpyHeader parse_header(std::string_view head, std::size_t file_size, const std::string& source) {
  const std::size_t end = header_end(head, source);
  if (head.size() < end) fail(source, "truncated .npy header");
  const std::size_t start = head[6] == 1 ? 10 : 12;
  const std::string_view text = head.substr(start, end - start);
  Header parsed = HeaderParser(text, source).parse();
  if (!parsed.descr || !parsed.fortran_order || !parsed.shape)
    fail(source, "malformed .npy header: it needs 'descr', 'fortran_order' and 'shape': " + std::string(text));
  const DType dtype = parse_dtype(*parsed.descr, source);
  NpyHeader h{*parsed.shape, *parsed.descr, *parsed.fortran_order, end, dtype.size};
  std::size_t count = 1;
  for (std::size_t dim : h.shape) {
    if (dim != 0 && count > std::numeric_limits<std::size_t>::max() / dim / dtype.size)
      fail(source, "array shape is too large");
    count *= dim;
  }
  const std::size_t needed = count * dtype.size;
  if (file_size - end < needed) {
    std::ostringstream os;
    os << "truncated .npy data: the header announces " << count << " values of " << dtype.size << " bytes (" << needed
       << " bytes) but the file holds " << file_size - end << " bytes after the header";
    fail(source, os.str());
  }
  return h;
}

NpyArray decode(const NpyHeader& h, const unsigned char* data, const std::string& source) {
  const DType dtype = parse_dtype(h.dtype, source);
  NpyArray array;
  array.shape = h.shape;
  array.dtype = h.dtype;
  const std::size_t count = h.count();
  array.data.resize(count);
  if (!h.fortran_order || array.shape.size() < 2) {
    for (std::size_t i = 0; i < count; ++i) array.data[i] = to_double(data + i * dtype.size, dtype);
    return array;
  }
  // Fortran order: the first index varies fastest in the file. Walk the C-order index.
  const std::size_t rank = array.shape.size();
  std::vector<std::size_t> stride(rank, 1);
  for (std::size_t k = 1; k < rank; ++k) stride[k] = stride[k - 1] * array.shape[k - 1];
  std::vector<std::size_t> index(rank, 0);
  for (std::size_t i = 0; i < count; ++i) {
    std::size_t offset = 0;
    for (std::size_t k = 0; k < rank; ++k) offset += index[k] * stride[k];
    array.data[i] = to_double(data + offset * dtype.size, dtype);
    for (std::size_t k = rank; k-- > 0;) {  // increment the C-order index, last axis fastest
      if (++index[k] < array.shape[k]) break;
      index[k] = 0;
    }
  }
  return array;
}

// A regular file opened for reading; anything else (a FIFO, a device, a directory) is refused
// before a byte is read, since reading it could block or never end.
class NpyFile {
 public:
  explicit NpyFile(const std::string& file) : file_(file) {
    fd_ = ::open(file.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd_ < 0)
      fail(file,
           errno == ENOENT ? "no such .npy file" : std::string("cannot read the .npy file: ") + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd_, &st) != 0) fail(file, std::string("cannot read the .npy file: ") + std::strerror(errno));
    if (S_ISDIR(st.st_mode)) fail(file, "is a directory, not a .npy file");
    if (S_ISFIFO(st.st_mode)) fail(file, "is a FIFO (named pipe), not a .npy file");
    if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) fail(file, "is a device, not a .npy file");
    if (!S_ISREG(st.st_mode)) fail(file, "is not a regular file");
    size_ = static_cast<std::size_t>(st.st_size);
  }
  ~NpyFile() { ::close(fd_); }
  NpyFile(const NpyFile&) = delete;
  NpyFile& operator=(const NpyFile&) = delete;

  std::size_t size() const { return size_; }
  // Up to `n` bytes from `offset` (fewer at the end of the file).
  std::string read(std::size_t offset, std::size_t n) const {
    std::string out(n, '\0');
    std::size_t done = 0;
    while (done < n) {
      const ssize_t got = ::pread(fd_, out.data() + done, n - done, static_cast<off_t>(offset + done));
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) fail(file_, std::string("cannot read the .npy file: ") + std::strerror(errno));
      if (got == 0) break;
      done += static_cast<std::size_t>(got);
    }
    out.resize(done);
    return out;
  }
  NpyHeader header() const {
    const std::string start = read(0, kPreamble);
    return parse_header(read(0, header_end(start, file_)), size_, file_);
  }

 private:
  std::string file_;
  int fd_ = -1;
  std::size_t size_ = 0;
};

}  // namespace

std::size_t NpyHeader::count() const {
  std::size_t n = 1;
  for (std::size_t dim : shape) n *= dim;
  return n;
}

NpyArray parse_npy(const std::string& bytes, const std::string& source) {
  const NpyHeader h = parse_header(bytes, bytes.size(), source);
  return decode(h, reinterpret_cast<const unsigned char*>(bytes.data() + h.data_offset), source);
}

NpyHeader read_npy_header(const std::string& file) {
  return NpyFile(file).header();
}

NpyArray read_npy(const std::string& file) {
  const NpyFile f(file);
  const NpyHeader h = f.header();
  const std::string data = f.read(h.data_offset, h.count() * h.item_size);
  if (data.size() < h.count() * h.item_size) fail(file, "the .npy file got shorter while it was read");
  return decode(h, reinterpret_cast<const unsigned char*>(data.data()), file);
}

}  // namespace nestling::io
