"""deNEST 1.0.1's parameter trees for nestling: ``ParamsTree``, ``load_trees``, ``InvalidTreeError``.

A parameter tree is nested YAML. In every node the keys ``params`` and ``nest_params`` hold the
node's data (mappings; a missing one counts as ``{}``) and every other key names a child node,
whose value is a mapping or empty (``null``). What a node *sees* is inherited: per top-level
key, the nearest definition on the way up to the root wins, whole (nested dicts are never
merged), and the two data dicts inherit independently. Trees at the same node path are merged
before inheritance is worked out, the earliest tree winning per node and key.

Where nestling deliberately departs from deNEST 1.0.1 (all documented where they apply):

* deterministic order after a merge: children and data keys in first-seen order (deNEST unions
  children through a Python ``set`` and orders data keys through a ``ChainMap``), as nestling's
  C++ tree does, so that ``write`` gives the bytes of the CLI's ``parameter_tree.yml``;
* a tree is also a mapping of its children (``tree["network"]``), besides deNEST's
  ``tree["params"]``; it is read-only (the ``children`` dict and the data views stay writable);
* nodes remember the YAML files that defined them (``files``, ``path``, ``origin_map``);
* ``load_trees`` also takes a single tree file and nested tree_paths lists;
* data is copied when a tree is built, so trees never share mutable values with their inputs,
  and written YAML never holds ``&id001`` anchors.
"""

import copy as _copy
import errno
import os
from collections import ChainMap
from collections.abc import Mapping
from pathlib import Path

import yaml

__all__ = ["InvalidTreeError", "ParamsTree", "load_trees"]

_DATA_KEYS = ("params", "nest_params")
_REPR_MAX_LINES = 30


class InvalidTreeError(ValueError):
    """A mapping, YAML file or tree_paths list that does not make a valid parameter tree.

    ``str(error)`` reads ``<file>: <tree path>: <problem>`` (the parts that are known). The
    parts are also attributes: ``file`` (``None`` for trees built from dicts), ``tree_path``
    (``"network/layers/l1"``, ``"network/params"``; ``""`` for the root) and ``problem``.
    """

    def __init__(self, problem, tree_path="", file=None):
        self.problem = problem
        self.tree_path = tree_path
        self.file = None if file is None else os.fspath(file)
        where = [part for part in (self.file, tree_path) if part]
        super().__init__(": ".join(where + [problem]))


def _describe(value):
    """Type and repr of a bad value, with the type names nestling's C++ messages use."""
    kinds = ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"),
             (list, "list"), (tuple, "tuple"), (Mapping, "mapping"))
    kind = next((name for cls, name in kinds if isinstance(value, cls)), type(value).__name__)
    return "null" if value is None else f"{kind} {value!r}"


def _join(path, name):
    return f"{path}/{name}" if path else str(name)


def _check_tree(mapping, path, file, data_keys):
    """Raise InvalidTreeError for the first node or data value in `mapping` that is not a mapping.

    `mapping` is the node at tree path `path`; a child may be None (an empty node), a data
    value may not (deNEST rejects ``params: null``).
    """
    if not isinstance(mapping, Mapping):
        raise InvalidTreeError(
            ("a tree node must be a mapping or empty (null), got " if path else
             "a parameter tree must be a mapping, got ") + _describe(mapping), path, file)
    for key, value in mapping.items():
        if key in data_keys:
            if value is None:
                raise InvalidTreeError(
                    f"must be a mapping, not null; write `{key}: {{}}` for no parameters",
                    _join(path, key), file)
            if not isinstance(value, Mapping):
                raise InvalidTreeError("must be a mapping, got " + _describe(value), _join(path, key), file)
        elif value is not None:
            _check_tree(value, _join(path, key), file, data_keys)


class InheritedView(ChainMap):
    """The data a node sees: its own dict first, then each ancestor's, nearest first.

    Lookups find the nearest definition. It is live: later edits of any scope show through.
    A write changes the nearest scope that already holds the key, else the node's own data
    (as deNEST's chained view does); ``del`` removes the nearest definition. Iteration lists
    the root's keys first.
    """

    def __setitem__(self, key, value):
        scope = next((m for m in self.maps if key in m), self.maps[0])
        scope[key] = value

    def __delitem__(self, key):
        scope = next((m for m in self.maps if key in m), None)
        if scope is None:
            raise KeyError(key)
        del scope[key]


class _TreeDumper(yaml.Dumper):
    """PyYAML's default dumper, minus anchors: like nestling's C++ writer, every value is spelt out."""

    def ignore_aliases(self, data):
        return True


def _dump_yaml(data, stream=None):
    return yaml.dump(data, stream, Dumper=_TreeDumper, default_flow_style=False, sort_keys=False)


class ParamsTree(Mapping):
    """A node of a parameter tree, with its children (deNEST 1.0.1's ``ParamsTree``).

    Args:
        mapping: a tree-like mapping: ``params`` / ``nest_params`` hold this node's data, any
            other key a child (a mapping, or None for an empty node). None gives an empty node.
            A ParamsTree is taken as its ``asdict()``. Data is copied (deeply).
        parent: the parent node; the node inherits its data. The parent's ``children`` is not
            changed (as in deNEST: attach the node yourself if you want it there).
        name: the node's name (the root of ``load_trees`` is named after the path).
        validate: check the mapping first; a bad node raises ``InvalidTreeError`` naming its
            tree path.

    As a mapping (read-only) a node holds ``"params"`` and ``"nest_params"`` (the inherited
    views, as in deNEST) followed by its children by name (a nestling addition).
    """

    DATA_KEYS = list(_DATA_KEYS)

    def __init__(self, mapping=None, parent=None, name=None, validate=True):
        self._parent = parent
        self._name = name
        self._files = ()
        self._children = {}
        if isinstance(mapping, ParamsTree):
            mapping = mapping.asdict()
        if mapping is None:
            mapping = {}
        if validate:
            self.validate(mapping)
        # Own data: a fresh copy, so that edits never reach the caller's dicts (or vice versa).
        self._data = {key: _copy.deepcopy(dict(mapping.get(key) or {})) for key in self.DATA_KEYS}
        for child_name, child_mapping in mapping.items():
            if child_name not in self.DATA_KEYS:
                # Already validated as part of this mapping.
                self._children[child_name] = type(self)(child_mapping, parent=self, name=child_name,
                                                        validate=False)

    # --- structure ------------------------------------------------------------------------------

    @property
    def name(self):
        """This node's name (None for a root built from a dict or read from one file)."""
        return self._name

    @property
    def parent(self):
        """The parent node, None for a root."""
        return self._parent

    @property
    def children(self):
        """The children by name, in order (the dict itself: adding a node here attaches it)."""
        return self._children

    @property
    def path(self):
        """Names from below the root down to this node, e.g. ``"network/layers/l1"``; ``""`` for the root.

        nestling extra; it matches the tree paths in nestling's C++ error messages.
        """
        if self._parent is None:
            return ""
        return _join(self._parent.path, self._name)

    @property
    def files(self):
        """The YAML files that defined this node, in merge precedence (nestling extra).

        A tree read from a file records that file on every node; ``merge`` unions the files of
        the merged nodes, earliest tree first. Nodes built from dicts have ``()``.
        """
        return self._files

    def ancestors(self):
        """The ancestors of this node, nearest (the parent) first, the root last."""
        found = []
        node = self._parent
        while node is not None:
            found.append(node)
            node = node._parent
        return found

    def leaves(self, root=True):
        """All leaves (nodes without children) under this node, depth-first in child order.

        A node without children is its own only leaf when ``root`` is True; with
        ``root=False`` it has none (how deNEST reads a subtree's objects).
        """
        if not self._children:
            return [self] if root else []
        found = []
        for child in self._children.values():
            found.extend(child.leaves(root=True))
        return found

    def named_leaves(self, root=True):
        """``[(name, leaf), ...]`` for ``leaves(root)``, in the same order."""
        return [(leaf.name, leaf) for leaf in self.leaves(root=root)]

    def origin_map(self):
        """``{node path: first file}`` for this node and all below it that came from a file.

        nestling extra: the C++ engine uses it to name the file a bad value came from. Keys
        are ``path`` values (``""`` for the root), in depth-first order.
        """
        origins = {}
        stack = [self]
        while stack:
            node = stack.pop()
            if node._files:
                origins[node.path] = node._files[0]
            stack.extend(reversed(list(node._children.values())))
        return origins

    # --- data -----------------------------------------------------------------------------------

    @property
    def node_data(self):
        """This node's own data: ``{"params": {...}, "nest_params": {...}}`` (the dicts themselves)."""
        return self._data

    def _view(self, key):
        return InheritedView(self._data[key], *(node._data[key] for node in self.ancestors()))

    @property
    def data(self):
        """``{"params": view, "nest_params": view}``: the inherited views of both data keys."""
        return {key: self._view(key) for key in self.DATA_KEYS}

    @property
    def params(self):
        """The ``params`` this node sees (an ``InheritedView``: nearest definition wins, whole)."""
        return self._view("params")

    @property
    def nest_params(self):
        """The ``nest_params`` this node sees (inherited independently of ``params``)."""
        return self._view("nest_params")

    # --- mapping interface ----------------------------------------------------------------------

    def __getitem__(self, key):
        if key in self.DATA_KEYS:
            return self._view(key)
        return self._children[key]

    def __iter__(self):
        yield from self.DATA_KEYS
        yield from self._children

    def __len__(self):
        return len(self.DATA_KEYS) + len(self._children)

    def __eq__(self, other):
        """Equal own data and equal children, compared as Python dicts (order, names, parents ignored)."""
        if not isinstance(other, ParamsTree):
            return NotImplemented
        return self._data == other._data and self._children == other._children

    __hash__ = None

    # --- building -------------------------------------------------------------------------------

    def validate(self, mapping, path=None):
        """Check that `mapping` makes a valid tree; return it unchanged.

        `path` is where the mapping sits (a list of names as in deNEST, or a ``"a/b"`` string);
        it prefixes the tree paths in errors. Raises ``InvalidTreeError``.
        """
        if path is None:
            path = self.path
        elif not isinstance(path, str):
            path = "/".join(str(name) for name in path)
        if mapping is not None:
            _check_tree(mapping, path, None, self.DATA_KEYS)
        return mapping

    @classmethod
    def merge(cls, *trees, parent=None, name=None):
        """A new tree where nodes at the same path in `trees` are one node; earlier trees win.

        Per node and data key, the value of the earliest tree that defines the key is taken
        whole. Children are unioned and merged the same way. Merging comes before inheritance,
        so data merged into a node reaches all its descendants. The inputs are not changed.
        Mappings are accepted in place of trees. Order (nestling, deterministic): data keys
        and children in first-seen order, earliest tree first. ``files`` are unioned.
        """
        trees = [tree if isinstance(tree, ParamsTree) else cls(tree) for tree in trees]
        data = {key: {} for key in cls.DATA_KEYS}
        for tree in trees:
            for key in cls.DATA_KEYS:
                for param, value in tree.node_data[key].items():
                    data[key].setdefault(param, value)
        merged = cls(data, parent=parent, name=name, validate=False)
        merged._files = tuple(dict.fromkeys(f for tree in trees for f in tree.files))
        same_name = {}
        for tree in trees:
            for child_name, child in tree.children.items():
                same_name.setdefault(child_name, []).append(child)
        for child_name, nodes in same_name.items():
            merged._children[child_name] = cls.merge(*nodes, parent=merged, name=child_name)
        return merged

    def copy(self):
        """A copy of the subtree under this node, as a new root (name None, no parent).

        As in deNEST, data inherited from above this node is not part of the copy. Unlike
        deNEST's, the copy keeps the nodes' ``files``.
        """
        duplicate = type(self)(self.asdict(), validate=False)
        duplicate._copy_files_from(self)
        return duplicate

    def _copy_files_from(self, other):
        self._files = other._files
        for child_name, child in self._children.items():
            child._copy_files_from(other._children[child_name])

    def _set_files(self, files):
        self._files = tuple(files)
        for child in self._children.values():
            child._set_files(files)

    def asdict(self):
        """Nested dicts: ``params`` and ``nest_params`` (own data, shallow copies) then the children."""
        result = {key: dict(self._data[key]) for key in self.DATA_KEYS}
        for child_name, child in self._children.items():
            result[child_name] = child.asdict()
        return result

    # --- YAML -----------------------------------------------------------------------------------

    @classmethod
    def read(cls, path):
        """Read one YAML tree file (safe loader). An empty file is an empty tree; the root's name is None.

        Every node records `path` in ``files``. A tree_paths list is refused (use ``load_trees``).
        """
        with open(path, "rt", encoding="utf-8") as stream:
            content = yaml.safe_load(stream)
        return cls._from_file_content(content, os.fspath(path))

    @classmethod
    def _from_file_content(cls, content, file):
        if isinstance(content, list):
            raise InvalidTreeError("holds a list (a tree_paths file?); a parameter tree file holds "
                                   "a mapping. Use load_trees for tree_paths lists", "", file)
        if content is not None and not isinstance(content, Mapping):
            raise InvalidTreeError("a parameter tree file must hold a mapping, got " + _describe(content),
                                   "", file)
        if content is not None:
            _check_tree(content, "", file, cls.DATA_KEYS)
        tree = cls(content, validate=False)
        tree._set_files((file,))
        return tree

    def write(self, path):
        """Write the tree as YAML and return `path`.

        The bytes are those of nestling's C++ ``parameter_tree.yml`` (and deNEST's): PyYAML's
        default dumper, block style, keys in tree order, explicit ``params:`` and
        ``nest_params:`` on every node before its children. ``read`` gives back an equal tree.
        """
        with open(path, "wt", encoding="utf-8") as stream:
            _dump_yaml(self.asdict(), stream)
        return path

    def __str__(self):
        return _dump_yaml(self.asdict())

    def __repr__(self):
        lines = str(self).rstrip("\n").split("\n")
        if len(lines) >= _REPR_MAX_LINES:
            half = _REPR_MAX_LINES // 2
            hidden = len(lines) - 2 * half
            lines = lines[:half] + [f"... [{hidden} more lines] ..."] + lines[-half:]
        parent = None if self._parent is None else self._parent.name
        header = f"{type(self).__name__}(name={self._name!r}, parent={parent!r})"
        return "\n".join([header] + ["  " + line for line in lines])


# --- load_trees ---------------------------------------------------------------------------------


def _read_yaml(file):
    with open(file, "rt", encoding="utf-8") as stream:
        return yaml.safe_load(stream)


def _collect_tree_files(file, open_lists, out):
    """Append ``(file, content)`` for each tree file `file` stands for, in precedence order.

    `file` holds a tree (a mapping, or nothing) or a tree_paths list, whose entries are
    resolved against the list's directory and may be lists themselves. `open_lists` holds the
    lists being expanded, to refuse cycles.
    """
    content = _read_yaml(file)
    if not isinstance(content, list):
        if content is not None and not isinstance(content, Mapping):
            raise InvalidTreeError("must hold a parameter tree (a mapping) or a tree_paths list, got "
                                   + _describe(content), "", file)
        out.append((file, content))
        return
    key = os.path.realpath(file)
    if key in open_lists:
        chain = " -> ".join(open_lists + [key])
        raise InvalidTreeError(f"tree_paths lists include each other in a cycle: {chain}", "", file)
    open_lists.append(key)
    directory = os.path.dirname(file)
    for index, entry in enumerate(content):
        if not isinstance(entry, str) or not entry:
            raise InvalidTreeError("a tree_paths list holds paths of parameter files (strings), got "
                                   + _describe(entry), f"[{index}]", file)
        # As nestling's C++ loader: relative entries normalised, absolute ones kept as written.
        listed = entry if os.path.isabs(entry) else os.path.normpath(os.path.join(directory, entry))
        if not os.path.isfile(listed):
            where = f"listed in {file} [{index}] as {entry!r}"
            if os.path.isdir(listed):
                raise IsADirectoryError(errno.EISDIR, where + ", but it is a directory", listed)
            raise FileNotFoundError(errno.ENOENT, where + ", but there is no such file", listed)
        _collect_tree_files(listed, open_lists, out)
    open_lists.pop()


def load_trees(path, *overrides):
    """Load the parameter tree that `path` stands for, with `overrides` on top.

    `path` is a tree_paths list: a YAML list of tree files, relative to the list's directory
    (absolute entries stay absolute). nestling also accepts a single tree file (the YAML is a
    mapping, or empty) and lists that list other lists (expanded in place; cycles raise
    ``InvalidTreeError``). Each override is a tree-shaped dict or a ParamsTree.

    Precedence, highest first: the first override, the next ones, then the files in list
    order (the earliest file wins). The result is ``ParamsTree.merge(*overrides, *files)``,
    its root named ``Path(path)``; nodes keep the ``files`` that defined them.

    Raises FileNotFoundError naming a missing `path` or listed file, InvalidTreeError for
    content that is not a tree, and PyYAML's errors for invalid YAML.
    """
    file = os.fspath(path)
    if not os.path.isfile(file):
        if os.path.isdir(file):
            raise IsADirectoryError(errno.EISDIR, "a parameter file path names a directory", file)
        raise FileNotFoundError(errno.ENOENT, "no parameter file", file)
    found = []
    _collect_tree_files(file, [], found)
    file_trees = [ParamsTree._from_file_content(content, tree_file) for tree_file, content in found]
    override_trees = [tree if isinstance(tree, ParamsTree) else ParamsTree(tree) for tree in overrides]
    return ParamsTree.merge(*override_trees, *file_trees, name=Path(path))
