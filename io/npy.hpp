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

// Reads `file`. Throws UserError naming the file for a missing or unreadable file, a bad
// magic string, an unsupported version, a malformed header, an unsupported dtype, or data
// shorter than the header announces.
NpyArray read_npy(const std::string& file);

// Parses the bytes of a .npy file; `source` names it in error messages.
NpyArray parse_npy(const std::string& bytes, const std::string& source);

}  // namespace nestling::io
