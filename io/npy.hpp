// A reader for numpy `.npy` files (as written by numpy.save), for deNEST's `from_array` unit
// changes.
//
// Supported: format versions 1.0, 2.0 and 3.0; little-, big-endian and byte-order-free dtypes
// f8, f4, f2, i8, i4, i2, i1, u8, u4, u2, u1 and b1 (bool); C and Fortran order (Fortran data
// is transposed to C order); 0-d arrays (empty shape, one value).
// Not supported (clear UserError): object arrays (pickled), structured, complex, string and
// datetime dtypes. Values are converted to double; 64-bit integers beyond 2^53 lose precision.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace nestling::io {

struct NpyArray {
  std::vector<std::size_t> shape;  // empty for a 0-d array
  std::vector<double> data;        // row-major (C order), product(shape) values
  std::string dtype;               // numpy's descr, e.g. "<f8"

  std::size_t size() const { return data.size(); }
};

// What a .npy header says, checked: a supported version and dtype, and data as long as announced.
struct NpyHeader {
  std::vector<std::size_t> shape;
  std::string dtype;
  bool fortran_order = false;
  std::size_t data_offset = 0;  // bytes before the data
  std::size_t item_size = 0;    // bytes per value
  std::size_t count() const;    // values
};

// The longest header read; numpy writes a few hundred bytes (and reads at most 10000).
constexpr std::size_t kMaxNpyHeader = 65536;

// Reads only the header of `file`. Throws UserError naming the file for a missing or unreadable
// file, one that is not a regular file (a FIFO, device or directory is never opened for
// reading), a bad magic string, an unsupported version, a header longer than kMaxNpyHeader or
// malformed, an unsupported dtype, or a file shorter than the data the header announces.
NpyHeader read_npy_header(const std::string& file);

// Reads `file`: the header as read_npy_header checks it, then the data.
NpyArray read_npy(const std::string& file);

// Parses the bytes of a .npy file; `source` names it in error messages.
NpyArray parse_npy(const std::string& bytes, const std::string& source);

}  // namespace nestling::io
