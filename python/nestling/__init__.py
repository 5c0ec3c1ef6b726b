"""nestling: deNEST's parameter trees on nestling's own spiking-network engine.

    import nestling
    tree = nestling.load_trees("params/tree_paths.yml", {"kernel": {"nest_params": {"local_num_threads": 2}}})
    sim = nestling.Simulation(tree, output_dir="output")
    sim.run()
    spikes = nestling.io.load(nestling.io.metadata_paths("output")[0])

The names and behaviour follow deNEST 1.0.1 (ParamsTree, load_trees, Simulation, run,
io.load); the engine is nestling's C++ core, driven in-process.
"""
from .parameters import InvalidTreeError, ParamsTree, load_trees

__all__ = ["ParamsTree", "InvalidTreeError", "load_trees", "Simulation", "Network", "Session", "run",
           "NestlingError", "IntegrationError", "io", "plot"]


def __getattr__(name):
    # The compiled engine and the plotting stack load only when first used.
    if name in ("Simulation", "run", "Network", "Session", "NestlingError", "IntegrationError", "__version__"):
        from . import simulation

        return getattr(simulation, name)
    if name in ("io", "plot"):
        import importlib

        return importlib.import_module("." + name, __name__)
    raise AttributeError(f"module 'nestling' has no attribute '{name}'")
