"""python3 -m nestling TREE [-o DIR] [-i DIR]: runs a tree as `python -m denest` does.

Bad input prints one line naming the file and tree path and exits 2; Ctrl-C stops at the next
slice boundary, keeps the outputs of what ran and exits 130.
"""
import argparse
import logging
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m nestling",
                                     description="Run a deNEST parameter tree on nestling's engine.")
    parser.add_argument("tree", help="tree_paths.yml (a list of tree files) or a tree file")
    parser.add_argument("-o", "--output", help="output directory (overrides simulation/params/output_dir)")
    parser.add_argument("-i", "--input", help="input directory (overrides simulation/params/input_dir)")
    parser.add_argument("--threads", type=int, help="number of threads (overrides kernel/nest_params/local_num_threads)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("-v", "--version", action="version", version="nestling 0.1.0")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    import nestling

    try:
        nestling.run(args.tree, output_dir=args.output, input_dir=args.input, threads=args.threads,
                     progress=not args.no_progress)
    except (nestling.NestlingError, nestling.InvalidTreeError, FileNotFoundError) as e:
        print(f"nestling: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("nestling: interrupted; the outputs of what ran are complete", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
