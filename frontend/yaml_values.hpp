// YAML text → nestling::Value, with the scalar types PyYAML's *safe* loader gives (YAML 1.1).
//
// yaml-cpp parses; this file decides what each scalar means:
// - plain scalars are resolved by PyYAML's implicit resolver: null (~, null, Null, NULL, empty),
//   booleans (yes/no/true/false/on/off in lower, Capitalised and UPPER case), integers (decimal,
//   0x hex, 0b binary, 0-prefixed octal, underscores, sexagesimal 1:30), floats (a dot is
//   required: `1.0e+3` is a float, `1e3` and `1.0e3` are strings; .inf, -.inf, .nan); anything
//   else is a string;
// - quoted and block scalars are strings;
// - explicit tags !!str, !!int, !!float, !!bool, !!null, !!seq, !!map are honoured;
// - Python tags (!!python/tuple …) and other tags are errors, and so are values nestling cannot
//   hold: timestamps (2001-12-14 is a date for PyYAML), a bare `=` or `<<` as a value;
// - merge keys (`<<: *defaults`) work as in PyYAML;
// - mapping keys become strings: string keys as written, integer keys in decimal (`0x10` → "16");
//   null, boolean and float keys are errors (quote them);
// - a key written twice in one mapping is an error (PyYAML silently keeps the last value);
// - mapping order is kept.
// Known difference: a scalar with the non-specific tag `!` (`! 10`) is a string here; PyYAML
// resolves it like a plain scalar. yaml-cpp reports it exactly like a quoted scalar.
//
// Errors are UserErrors whose path points into the document ("a/b[2]/c") and whose message
// gives the line; the file is the `source` argument.
#pragma once

#include <string>

#include "nestling/value.hpp"

namespace nestling::frontend {

// The Value PyYAML's safe loader gives a plain scalar. Throws UserError (no path) for a
// timestamp, `=`, `<<`, or an integer beyond 64 bits.
Value resolve_plain_scalar(const std::string& text);

// Parses YAML text holding at most one document (none: null). `source` names the text in
// error messages (usually a file name).
Value parse_yaml(const std::string& text, const std::string& source = "");

// Reads and parses a YAML file. A missing or unreadable file is a UserError naming it.
Value read_yaml_file(const std::string& file);

}  // namespace nestling::frontend
