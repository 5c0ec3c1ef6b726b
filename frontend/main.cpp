#include "frontend/cli.hpp"

int main(int argc, char** argv) { return nestling::cli::main(argc, argv); }
