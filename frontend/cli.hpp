// The `nestling` command line: run, validate, models.
#pragma once

namespace nestling::cli {

// Runs the command line; returns the process exit status: 0 done, 1 internal error, 2 bad input,
// 3 a node's dynamics diverged, 128 + N stopped by signal N (130 SIGINT, 143 SIGTERM).
int main(int argc, char** argv);

}  // namespace nestling::cli
