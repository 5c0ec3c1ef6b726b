#include "io/text_sink.hpp"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>

#include "nestling/errors.hpp"

namespace nestling::io {

namespace {
int digits(std::uint64_t n) {
  int d = 1;
  while (n >= 10) {
    n /= 10;
    ++d;
  }
  return d;
}
std::string padded(std::uint64_t value, int width) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*llu", width, static_cast<unsigned long long>(value));
  return buf;
}
void append_int(long long v, std::string& out) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, res.ptr);
}
}  // namespace

std::string nest_file_name(const RecorderDescription& d, int vp) {
  if (vp < 0) vp = d.vp;
  std::string name = d.data_prefix;
  name += d.label.empty() ? d.model : d.label;
  if (d.use_gid_in_filename) {
    name += '-';
    name += padded(d.gid, digits(d.max_gid + 1));
  }
  name += '-';
  name += padded(static_cast<std::uint64_t>(vp), digits(static_cast<std::uint64_t>(std::max(d.n_threads, 1))));
  name += '.';
  name += d.file_extension;
  return name;
}

void TextFormatter::number(double v, std::string& out) const {
  char buf[64];
  const auto fmt = d_.scientific ? std::chars_format::scientific : std::chars_format::fixed;
  auto res = std::to_chars(buf, buf + sizeof buf, v, fmt, d_.precision);
  if (res.ec == std::errc()) {
    out.append(buf, res.ptr);
    return;
  }
  // Too long for the buffer (e.g. 1e70 in fixed notation): format at its full length.
  const char* pattern = d_.scientific ? "%.*e" : "%.*f";
  const int n = std::snprintf(nullptr, 0, pattern, d_.precision, v);
  if (n <= 0) return;
  std::string wide(static_cast<std::size_t>(n) + 1, '\0');
  std::snprintf(wide.data(), wide.size(), pattern, d_.precision, v);
  out.append(wide.data(), static_cast<std::size_t>(n));
}

void TextFormatter::format(const RecordBatch& b, std::size_t r, std::string& out) const {
  if (d_.withgid) {
    append_int(static_cast<long long>(b.senders[r]), out);
    out += '\t';
  }
  if (d_.kind == RecordKind::weights) {
    if (d_.withtargetgid) {
      append_int(static_cast<long long>(b.targets[r]), out);
      out += '\t';
    }
    if (d_.withport) {
      append_int(0, out);
      out += '\t';
    }
    if (d_.withrport) {
      append_int(b.receptors[r], out);
      out += '\t';
    }
  }
  if (d_.withtime) {
    if (d_.time_in_steps) {
      append_int(b.stamps[r], out);
    } else {
      number(d_.stamp_ms(b.stamps[r]), out);
    }
    out += '\t';
  }
  if (d_.kind == RecordKind::weights && d_.withweight) {
    number(b.weights[r], out);
    out += '\t';
  }
  if (d_.kind == RecordKind::samples) {
    for (std::size_t c = 0; c < b.n_values; ++c) {
      number(b.values[r * b.n_values + c], out);
      out += '\t';
    }
  }
  out += '\n';
}

TextFileSink::TextFileSink(const RecorderDescription& d)
    : format_(d), name_(nest_file_name(d)), path_(d.output_path(name_)) {
  file_ = std::fopen(path_.c_str(), "w");
  if (!file_) throw UserError(path_, std::string("cannot open for writing: ") + std::strerror(errno));
  std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);
}

TextFileSink::~TextFileSink() {
  try {
    close();
  } catch (...) {  // a destructor must not throw; close() reported nothing useful to anyone here
  }
}

void TextFileSink::write(const RecordBatch& batch) {
  if (!file_) throw InternalError("write to a closed recorder file " + path_);
  // Rows are formatted into chunks of about 1 MiB, each written with one checked call.
  line_.clear();
  for (std::size_t r = 0; r < batch.size(); ++r) {
    format_.format(batch, r, line_);
    if (line_.size() >= (1u << 20) || r + 1 == batch.size()) {
      if (std::fwrite(line_.data(), 1, line_.size(), file_) != line_.size())
        throw UserError(path_, std::string("write failed: ") + std::strerror(errno));
      line_.clear();
    }
  }
}

void TextFileSink::flush() {
  if (file_ && std::fflush(file_) != 0) throw UserError(path_, std::string("write failed: ") + std::strerror(errno));
}

void TextFileSink::close() {
  if (!file_) return;
  const bool ok = std::fclose(file_) == 0;
  file_ = nullptr;
  if (!ok) throw UserError(path_, std::string("closing failed: ") + std::strerror(errno));
}

void ScreenSink::write(const RecordBatch& batch) {
  std::string line;
  for (std::size_t r = 0; r < batch.size(); ++r) {
    line.clear();
    format_.format(batch, r, line);
    std::fwrite(line.data(), 1, line.size(), stdout);
  }
}

}  // namespace nestling::io
