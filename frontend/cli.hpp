// The `nestling` command line: run, validate, models.
#pragma once

namespace nestling::cli {

// Runs the command line; returns the process exit status (0 ok, 2 bad input, 130 interrupted).
int main(int argc, char** argv);

}  // namespace nestling::cli
