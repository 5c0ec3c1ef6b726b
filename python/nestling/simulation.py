"""Simulation, Network, Layer and Session: deNEST's objects, backed by nestling's engine.

The tree is built and run by the C++ engine (nestling._nestling); these classes give it deNEST
1.0.1's names and shapes: lists of gids, dicts of layers, pandas DataFrames of connections.
"""
import logging
import os

import numpy as np

from . import _nestling
from .parameters import ParamsTree, load_trees

__version__ = "0.1.0"

log = logging.getLogger("nestling")
NestlingError = _nestling.NestlingError
IntegrationError = _nestling.IntegrationError


def _refuse_several_processes():
    """Copies of one script under mpirun would each run the whole network into one directory."""
    size = os.environ.get("OMPI_COMM_WORLD_SIZE") or os.environ.get("PMI_SIZE") or "1"
    if size.isdigit() and int(size) > 1:
        raise NestlingError(
            "the Python package runs on one process, but this one is one of %s started by an MPI "
            "launcher; run the tree with `mpirun -np %s nestling run TREE`, or embed the C++ library "
            "(nestling::Simulator(MPI_Comm))" % (size, size))


class Simulation:
    """A parameter tree built into a network and its sessions, ready to run.

    Simulation(tree, input_dir=None, output_dir=None) as in deNEST; `input_dir` and `output_dir`
    override simulation/params (and are written back into the tree). Beyond deNEST:
    `threads` and `seed` override kernel/nest_params/local_num_threads and kernel/params/nest_seed;
    `force` (default True, like deNEST, which clears its output directory) lets a run replace a
    previous run's outputs in output_dir. nestling only ever replaces files a run wrote; other
    files are never touched. With force=False a directory holding outputs is refused.

    Outputs are written when the sessions run, exactly as `nestling run` writes them, and move
    into output_dir after the last session (or when the run stops early): a directory is never
    left half-written. Errors in the tree raise NestlingError (a ValueError) naming the file and
    tree path.
    """

    def __init__(self, tree=None, input_dir=None, output_dir=None, *, threads=None, seed=None, force=True,
                 progress=True):
        # Our own copy (deNEST copies too): later edits of the caller's tree change nothing here.
        self.tree = tree.copy() if isinstance(tree, ParamsTree) else ParamsTree(tree or {})
        _refuse_several_processes()
        options = {"input_dir": input_dir, "output_dir": output_dir, "threads": threads, "seed": seed,
                   "force": force}
        self._progress = progress
        origins = sorted(self.tree.origin_map().items())
        self._engine = _nestling.TreeSimulation.from_dict(self.tree.asdict(), origins, options)
        self._log_engine()
        self.network = Network(self._engine)
        self.sessions = [Session(self, i, s) for i, s in enumerate(self._engine.sessions())]
        self.output_dir = self._engine.output_dir()

    def _log_engine(self):
        for line in self._engine.take_log().splitlines():
            (log.warning if line.startswith("warning:") else log.info)(line)

    def total_time(self):
        """Biological time of all sessions (ms); IndexError without sessions, as deNEST."""
        return self.sessions[-1].end - self.sessions[0].start

    def run(self):
        """Runs every session not run yet; the outputs move into output_dir at the end.

        Ctrl-C stops at the next slice boundary, keeps the outputs of what ran (complete, in
        place) and raises KeyboardInterrupt. The GIL is released while the engine simulates.
        """
        pending = self.sessions[self._engine.sessions_run():]
        with _ProgressBar(self, pending) as bar:
            try:
                self._engine.run(bar.update)
            finally:
                self._log_engine()

    def run_next_session(self):
        """Runs the next session only; False when none is left or the run was interrupted."""
        index = self._engine.sessions_run()
        with _ProgressBar(self, self.sessions[index:index + 1]) as bar:
            try:
                return self._engine.run_next_session(bar.update)
            finally:
                self._log_engine()

    def finish(self):
        """Ends the run after the sessions that ran: their outputs move into output_dir."""
        self._engine.finish()
        self._log_engine()

    @property
    def time(self):
        """Biological time reached (ms)."""
        return self._engine.time()

    def __repr__(self):
        return (f"Simulation({len(self.network.layers)} layers, {len(self.sessions)} sessions, "
                f"output_dir={self.output_dir!r})")


class _ProgressBar:
    """A tqdm bar over the biological time of the sessions about to run (as deNEST shows one)."""

    def __init__(self, simulation, sessions):
        self.sessions = {s.index: s for s in sessions}
        self.bar = None
        if simulation._progress and sessions:
            from tqdm import tqdm  # plain text: works in a terminal and in Jupyter without widgets
            total = sum(s.duration for s in sessions)
            self.bar = tqdm(total=total, unit="ms", desc=sessions[0].name, leave=True,
                            bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.0f}/{total:.0f} ms [{elapsed}<{remaining}]")
        self.first = sessions[0].start if sessions else 0.0

    def update(self, session_index, time_ms):
        if self.bar is None:
            return
        session = self.sessions.get(session_index)
        if session is not None and self.bar.desc != session.name:
            self.bar.set_description(session.name, refresh=False)
        self.bar.update(time_ms - self.first - self.bar.n)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.close()
        return False


class Session:
    """One session of the run schedule: name ('01_noise'), start/end (ms), its session model."""

    def __init__(self, simulation, index, info):
        self._simulation = simulation
        self.index = index
        self.name = info["name"]
        self.model = info["model"]
        self.start = info["start"]
        self.end = info["end"]
        self.record = info["record"]

    @property
    def duration(self):
        return self.end - self.start

    simulation_time = duration

    def run(self, network=None):
        """Runs this session; sessions run in order, so it must be the next one."""
        done = self._simulation._engine.sessions_run()
        if done != self.index:
            expected = self._simulation.sessions[done].name if done < len(self._simulation.sessions) else None
            raise RuntimeError(f"session {self.name} cannot run now: the next session is {expected}")
        return self._simulation.run_next_session()

    def __repr__(self):
        return f"Session({self.name!r}, start={self.start}, end={self.end})"


class Layer:
    """A topological layer: its shape, populations (model → units per location) and gids."""

    def __init__(self, engine, info):
        self._engine = engine
        self.name = info["name"]
        self.gid = info["id"]
        self.shape = (info["rows"], info["columns"])
        self.extent = info["extent"]
        self.center = info["center"]
        self.edge_wrap = info["edge_wrap"]
        self.input_layer = info["input_layer"]
        self.populations = {p["name"]: p["units_per_position"] for p in info["populations"]}
        self._size = sum(p["size"] for p in info["populations"])

    layer_shape = property(lambda self: self.shape)
    population_names = property(lambda self: list(self.populations))

    @property
    def population_shapes(self):
        return {name: self.shape + (units,) for name, units in self.populations.items()}

    def gids(self, population=None, location=None, population_location=None):
        """Ids in id order, filtered like deNEST: `population` (the model name), `location`
        (row, col) and `population_location` (row, col, unit index within the population).
        A filter that matches nothing (a population the layer lacks, a location outside it)
        gives [], as in deNEST."""
        unit = None
        if population_location is not None:
            row, col, unit = (int(v) for v in population_location)
            if location is not None and tuple(location) != (row, col):
                return []
            location = (row, col)
        if location is not None:
            location = tuple(int(v) for v in location)
            if len(location) != 2:
                raise ValueError(f"location must be (row, column), got {location}")
            # As deNEST: a filter nothing matches selects nothing (no error).
            if not (0 <= location[0] < self.shape[0] and 0 <= location[1] < self.shape[1]):
                return []
        if population is not None and population not in self.populations:
            return []
        if unit is not None and not 0 <= unit < max(self.populations.values(), default=0):
            return []
        return self._engine.gids(self.name, population, location, unit)

    @property
    def locations(self):
        """{gid: (row, col)} for every node of the layer."""
        return {gid: loc[:2] for gid, loc in self.population_locations.items()}

    @property
    def population_locations(self):
        """{gid: (row, col, unit index within its population)} for every node of the layer."""
        return {gid: tuple(self._engine.location(gid)) for gid in self.gids()}

    def positions(self, gids=None):
        """(x, y) of each gid (default: all of the layer's nodes) as an (N, 2) array."""
        return self._engine.positions(list(self.gids() if gids is None else gids))

    def __len__(self):
        return self._size

    def __repr__(self):
        return f"Layer({self.name!r}, shape={self.shape}, populations={self.populations})"


class Network:
    """The network of a Simulation: layers (by name), projections, connections, node status."""

    def __init__(self, engine):
        self._engine = engine
        self.layers = {info["name"]: Layer(engine, info) for info in engine.layers()}
        self.projections = engine.projections()

    @property
    def populations(self):
        """[(layer name, population name, number of nodes)] in layer order."""
        out = []
        for layer in self.layers.values():
            rows, cols = layer.shape
            out += [(layer.name, pop, rows * cols * units) for pop, units in layer.populations.items()]
        return out

    def gids(self, layer, population=None, location=None, population_location=None):
        return self.layers[layer].gids(population, location, population_location)

    def get_connections(self, source=None, target=None, synapse_model=None):
        """Connections as a DataFrame: source, target, synapse_model, weight, delay (ms), receptor.

        `source`/`target`: a gid, a list of gids or None (any); `synapse_model`: a name or None.
        Rows are sorted by source, then target. Gap junctions are included (delay 0).
        """
        import pandas as pd

        def ids(x):
            return [] if x is None else [int(i) for i in np.atleast_1d(x)]

        c = self._engine.connections(ids(source), ids(target), synapse_model or "")
        models = pd.Categorical.from_codes(c["synapse_model_index"].astype(np.int64),
                                           categories=c["synapse_models"]) if c["synapse_models"] else \
            pd.Categorical([])
        return pd.DataFrame({"source": c["source"].astype(np.int64), "target": c["target"].astype(np.int64),
                             "synapse_model": models, "weight": c["weight"], "delay": c["delay"],
                             "receptor": c["receptor"]})

    def get_status(self, gids, key=None):
        """The status dict of one gid; with `key`, its value for one gid, or for a list of gids
        an array of the values (a numpy array when they are numbers, else a list)."""
        if key is None:
            return self._engine.get_status(int(gids))
        if np.ndim(gids) == 0:
            return self._engine.get_status_key([int(gids)], key)[0]
        values = self._engine.get_status_key([int(g) for g in np.atleast_1d(gids)], key)
        if values and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            return np.asarray(values, dtype=float)
        return values

    def set_status(self, gids, params):
        """Sets parameters or state of nodes between sessions, e.g. set_status(gids, {"g_KL": 1.2})."""
        self._engine.set_status([int(g) for g in np.atleast_1d(gids)], dict(params))

    def __repr__(self):
        return f"Network({len(self.layers)} layers, {len(self.projections)} projections)"


def run(path, *overrides, output_dir=None, input_dir=None, **options):
    """load_trees(path, *overrides), Simulation(...), run(), as deNEST's run()."""
    tree = load_trees(path, *overrides)
    sim = Simulation(tree, input_dir=input_dir, output_dir=output_dir, **options)
    sim.run()
    log.info("simulated %s ms; outputs in %s", sim.time, os.path.abspath(sim.output_dir))
    return sim
