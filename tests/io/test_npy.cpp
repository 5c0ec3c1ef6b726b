// The .npy reader: the real deNEST example array and files written byte by byte here.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "io/npy.hpp"
#include "nestling/errors.hpp"

using nestling::UserError;
using nestling::io::NpyArray;
using nestling::io::parse_npy;
using nestling::io::read_npy;

namespace {

const std::string kData = NESTLING_TEST_DATA;

// The bytes of a .npy file: magic, version, header length, header padded to 64 bytes, data.
std::string npy_file(const std::string& header, const std::string& data, int major = 1) {
  const std::size_t length_width = major == 1 ? 2 : 4;
  std::string padded = header;
  while ((8 + length_width + padded.size() + 1) % 64 != 0) padded += ' ';
  padded += '\n';
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += '\0';
  for (std::size_t k = 0; k < length_width; ++k) out += static_cast<char>((padded.size() >> (8 * k)) & 0xFF);
  return out + padded + data;
}

std::string header(const std::string& descr, const std::string& shape, bool fortran = false) {
  return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape + ", }";
}

// `values` stored as `Bytes`-byte integers (two's complement) in the given byte order.
template <class T>
std::string raw(const std::vector<T>& values, bool big_endian = false) {
  std::string out;
  for (T v : values) {
    char bytes[sizeof(T)];
    std::memcpy(bytes, &v, sizeof(T));
    if (big_endian) std::reverse(bytes, bytes + sizeof(T));
    out.append(bytes, sizeof(T));
  }
  return out;
}

std::string error_of(const std::string& bytes) {
  try {
    parse_npy(bytes, "test.npy");
  } catch (const UserError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("npy: the deNEST example's input array", "[npy]") {
  NpyArray a = read_npy(kData + "/npy/input_layer_rates_5x5x1.npy");
  CHECK(a.shape == std::vector<std::size_t>{5, 5, 1});
  CHECK(a.dtype == "<f8");
  REQUIRE(a.size() == 25);
  CHECK(a.data[0] == 100.0);
  for (std::size_t i = 1; i < 25; ++i) CHECK(a.data[i] == 0.0);
}

TEST_CASE("npy: every supported dtype, both byte orders", "[npy]") {
  const std::vector<double> expected{1, -2, 3, 0};
  for (bool big : {false, true}) {
    const std::string order = big ? ">" : "<";
    INFO("byte order " << order);
    CHECK(parse_npy(npy_file(header(order + "f8", "(4,)"), raw(std::vector<double>{1, -2, 3, 0}, big)), "t").data ==
          expected);
    CHECK(parse_npy(npy_file(header(order + "f4", "(4,)"), raw(std::vector<float>{1, -2, 3, 0}, big)), "t").data ==
          expected);
    CHECK(
        parse_npy(npy_file(header(order + "i8", "(4,)"), raw(std::vector<std::int64_t>{1, -2, 3, 0}, big)), "t").data ==
        expected);
    CHECK(
        parse_npy(npy_file(header(order + "i4", "(4,)"), raw(std::vector<std::int32_t>{1, -2, 3, 0}, big)), "t").data ==
        expected);
    CHECK(
        parse_npy(npy_file(header(order + "i2", "(4,)"), raw(std::vector<std::int16_t>{1, -2, 3, 0}, big)), "t").data ==
        expected);
    CHECK(parse_npy(npy_file(header(order + "u8", "(2,)"), raw(std::vector<std::uint64_t>{7, 1ull << 40}, big)), "t")
              .data == std::vector<double>{7, 1099511627776.0});
    CHECK(parse_npy(npy_file(header(order + "u4", "(2,)"), raw(std::vector<std::uint32_t>{7, 4000000000u}, big)), "t")
              .data == std::vector<double>{7, 4e9});
    CHECK(parse_npy(npy_file(header(order + "u2", "(2,)"), raw(std::vector<std::uint16_t>{7, 65535}, big)), "t").data ==
          std::vector<double>{7, 65535});
    // Half precision: 1.0 is 0x3C00, -2.5 is 0xC100.
    CHECK(parse_npy(npy_file(header(order + "f2", "(2,)"), raw(std::vector<std::uint16_t>{0x3C00, 0xC100}, big)), "t")
              .data == std::vector<double>{1.0, -2.5});
  }
  CHECK(parse_npy(npy_file(header("|i1", "(3,)"), raw(std::vector<std::int8_t>{-128, 0, 127})), "t").data ==
        std::vector<double>{-128, 0, 127});
  CHECK(parse_npy(npy_file(header("|u1", "(2,)"), raw(std::vector<std::uint8_t>{0, 255})), "t").data ==
        std::vector<double>{0, 255});
  CHECK(parse_npy(npy_file(header("|b1", "(3,)"), std::string("\x01\x00\x01", 3)), "t").data ==
        std::vector<double>{1, 0, 1});
}

TEST_CASE("npy: shapes, Fortran order, versions", "[npy]") {
  // A 2x3 array [[0, 1, 2], [3, 4, 5]] stored column by column.
  NpyArray f = parse_npy(npy_file(header("<f8", "(2, 3)", true), raw(std::vector<double>{0, 3, 1, 4, 2, 5})), "t");
  CHECK(f.shape == std::vector<std::size_t>{2, 3});
  CHECK(f.data == std::vector<double>{0, 1, 2, 3, 4, 5});
  // 2x3x2 with value 100*i + 10*j + k, in Fortran order (i fastest).
  std::vector<double> fortran_data;
  for (int k = 0; k < 2; ++k)
    for (int j = 0; j < 3; ++j)
      for (int i = 0; i < 2; ++i) fortran_data.push_back(100 * i + 10 * j + k);
  NpyArray g = parse_npy(npy_file(header("<f8", "(2, 3, 2)", true), raw(fortran_data)), "t");
  std::vector<double> c_order;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 2; ++k) c_order.push_back(100 * i + 10 * j + k);
  CHECK(g.data == c_order);
  // 0-d: one value, empty shape.
  NpyArray scalar = parse_npy(npy_file(header("<f8", "()"), raw(std::vector<double>{2.5})), "t");
  CHECK(scalar.shape.empty());
  CHECK(scalar.data == std::vector<double>{2.5});
  // Zero-size and Python 2 long dimensions.
  CHECK(parse_npy(npy_file(header("<f8", "(0, 3)"), ""), "t").data.empty());
  CHECK(parse_npy(
            npy_file("{'descr': '<i4', 'fortran_order': False, 'shape': (2L,)}", raw(std::vector<std::int32_t>{4, 5})),
            "t")
            .shape == std::vector<std::size_t>{2});
  // Versions 2.0 and 3.0 have a four-byte header length; double quotes are fine.
  for (int major : {2, 3}) {
    std::string h = "{\"descr\": \"<f8\", \"fortran_order\": False, \"shape\": (1,)}";
    CHECK(parse_npy(npy_file(h, raw(std::vector<double>{7}), major), "t").data == std::vector<double>{7});
  }
}

TEST_CASE("npy: errors", "[npy]") {
  const std::string good_data = raw(std::vector<double>{1, 2, 3, 4});
  CHECK(error_of("not numpy at all") ==
        "test.npy: not a .npy file (the file does not start with the magic string \\x93NUMPY)");
  std::string v4 = npy_file(header("<f8", "(4,)"), good_data);
  v4[6] = 4;
  CHECK(error_of(v4) == "test.npy: unsupported .npy format version 4.0 (supported: 1.0, 2.0, 3.0)");
  CHECK(error_of(npy_file(header("<f8", "(4,)"), good_data).substr(0, 40)) == "test.npy: truncated .npy header");
  CHECK(error_of(npy_file(header("<f8", "(5,)"), good_data)) ==
        "test.npy: truncated .npy data: the header announces 5 values of 8 bytes (40 bytes) but the file holds 32 "
        "bytes after the header");
  CHECK(error_of(npy_file(header("|O", "(4,)"), good_data)) ==
        "test.npy: dtype '|O': pickled arrays (dtype object) are not supported");
  CHECK_THAT(error_of(npy_file(header("<c16", "(1,)"), good_data)),
             Catch::StartsWith("test.npy: unsupported dtype '<c16'; supported: f8"));
  CHECK_THAT(error_of(npy_file(header("<U5", "(1,)"), good_data)), Catch::Contains("unsupported dtype '<U5'"));
  CHECK_THAT(error_of(npy_file("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,)}", good_data)),
             Catch::Contains("structured dtypes"));
  CHECK_THAT(error_of(npy_file("{'descr': '<f8', 'shape': (4,)}", good_data)),
             Catch::Contains("malformed .npy header: it needs 'descr', 'fortran_order' and 'shape'"));
  CHECK_THAT(error_of(npy_file("{'descr': '<f8', 'fortran_order': maybe, 'shape': (4,)}", good_data)),
             Catch::Contains("expected True or False"));
  CHECK_THAT(error_of(npy_file("{'descr': '<f8', 'fortran_order': False, 'shape': (4, x)}", good_data)),
             Catch::Contains("malformed .npy header"));
  CHECK_THAT(error_of(npy_file("['descr']", good_data)), Catch::Contains("expected '{'"));
  CHECK(std::string(error_of(npy_file("{'descr': '<f8', 'fortran_order': False, 'shape': (4,), 'x': 1}", good_data)))
            .find("unexpected key 'x'") != std::string::npos);
}

TEST_CASE("npy: files on disk", "[npy]") {
  CHECK_THROWS_WITH(read_npy("/nonexistent/a.npy"), "/nonexistent/a.npy: no such .npy file");
  const auto dir = std::filesystem::temp_directory_path() / ("nestling_npy_" + std::to_string(std::random_device{}()));
  std::filesystem::create_directories(dir);
  const std::string file = (dir / "a.npy").string();
  std::ofstream(file, std::ios::binary) << npy_file(header("<i4", "(2, 2)"),
                                                    raw(std::vector<std::int32_t>{1, 2, 3, 4}));
  NpyArray a = read_npy(file);
  CHECK(a.shape == std::vector<std::size_t>{2, 2});
  CHECK(a.data == std::vector<double>{1, 2, 3, 4});
  std::ofstream(file, std::ios::binary) << "\x93NUMPY";
  CHECK_THROWS_WITH(read_npy(file),
                    file + ": not a .npy file (the file does not start with the magic string \\x93NUMPY)");
  std::filesystem::remove_all(dir);
}

TEST_CASE("npy: FIFOs, devices and directories are refused without reading them", "[npy]") {
  const auto dir = std::filesystem::temp_directory_path() / ("nestling_npy_special_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "sub");
  const std::string fifo = (dir / "pipe.npy").string();
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_THROWS_WITH(read_npy(fifo), fifo + ": is a FIFO (named pipe), not a .npy file");  // no writer: would block
  CHECK_THROWS_WITH(read_npy("/dev/zero"), "/dev/zero: is a device, not a .npy file");    // would never end
  CHECK_THROWS_WITH(read_npy((dir / "sub").string()), (dir / "sub").string() + ": is a directory, not a .npy file");
  std::filesystem::remove_all(dir);
}

TEST_CASE("npy: the header is checked against the file size before any data is read", "[npy]") {
  const auto dir = std::filesystem::temp_directory_path() / ("nestling_npy_header_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  // A header announcing 2^40 doubles in a file of a few bytes: refused at once, nothing allocated.
  const std::string huge = (dir / "huge.npy").string();
  std::ofstream(huge, std::ios::binary) << npy_file(header("<f8", "(1048576, 1048576)"), raw(std::vector<double>{1}));
  CHECK_THROWS_WITH(nestling::io::read_npy_header(huge),
                    huge +
                        ": truncated .npy data: the header announces 1099511627776 values of 8 bytes "
                        "(8796093022208 bytes) but the file holds 8 bytes after the header");
  // A 4 GiB (sparse) file: the header says its shape without a byte of data being read.
  const std::string big = (dir / "big.npy").string();
  std::ofstream(big, std::ios::binary) << npy_file(header("<f8", "(65536, 8192)"), "");
  std::filesystem::resize_file(big, std::filesystem::file_size(big) + (std::uintmax_t{1} << 32));
  const nestling::io::NpyHeader h = nestling::io::read_npy_header(big);
  CHECK(h.shape == std::vector<std::size_t>{65536, 8192});
  CHECK(h.count() == 536870912);
  CHECK(h.item_size == 8);
  // A header length beyond any real header is refused before it is read.
  std::string long_header = npy_file(header("<f8", "(1,)"), raw(std::vector<double>{1}), 2);
  long_header[8] = '\xff';
  long_header[9] = '\xff';
  long_header[10] = '\xff';
  long_header[11] = '\x7f';
  CHECK(error_of(long_header) ==
        "test.npy: the .npy header is 2147483647 bytes long; nestling reads headers of up to 65536 bytes (numpy "
        "writes a few hundred)");
  std::filesystem::remove_all(dir);
}

TEST_CASE("npy: version 3.0 headers as numpy writes them", "[npy]") {
  // numpy.lib.format.write_array(f, numpy.zeros((2, 2)), version=(3, 0)), header as written.
  std::string v3 = "\x93NUMPY\x03";
  v3 += '\0';
  v3 += std::string("t\0\0\0", 4);
  v3 += "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }";
  while (v3.size() < 128 - 1) v3 += ' ';
  v3 += '\n';
  const NpyArray a = parse_npy(v3 + raw(std::vector<double>{1, 2, 3, 4}), "t");
  CHECK(a.shape == std::vector<std::size_t>{2, 2});
  CHECK(a.data == std::vector<double>{1, 2, 3, 4});
  // Version 3.0 exists for UTF-8 field names of structured dtypes, which nestling does not read.
  std::string named = "\x93NUMPY\x03";
  named += '\0';
  const std::string text = "{'descr': [('\xc3\xa9', '<f8')], 'fortran_order': False, 'shape': (2,), }";
  std::string padded = text;
  while ((12 + padded.size() + 1) % 64 != 0) padded += ' ';
  padded += '\n';
  for (int k = 0; k < 4; ++k) named += static_cast<char>((padded.size() >> (8 * k)) & 0xFF);
  CHECK_THAT(error_of(named + padded + raw(std::vector<double>{1, 2})),
             Catch::Contains("structured dtypes (a list as 'descr') are not supported"));
}
