#!/usr/bin/env bash
# Installs the built library into a scratch prefix, builds examples/embed against it with
# find_package(nestling), and runs it.
set -euo pipefail
build_dir="$1"; source_dir="$2"; work="$3"
rm -rf "$work"
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
cmake -S "$source_dir/examples/embed" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/build" >/dev/null
"$work/build/embed_example"
"$work/build/embed_tree_example" "$source_dir/examples/quickstart/tree_paths.yml" "$work/output"
test -s "$work/output/session_times.yml"
