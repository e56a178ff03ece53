"""Compiled flatteners for the event shapes a deployment keeps sending (the parse fast path).

A producer sends few distinct shapes (the nested keys, their order and value types). After the
generic validator accepts an event that needed no coercion, its shape is compiled into one plain
function: unpack each object's values, check every type and key tuple with guards, return the flat
view as one dict display. An event whose shape matches skips the generic walk; any guard that fails
returns None and the generic validator decides, so both paths accept and refuse exactly the same
events. Compiled shapes are bounded in number (hostile input cannot grow the cache or make every
event pay a compile).

Only callers that know every string is short enough may use it (`Event.from_json` checks the raw
length): the compiled guards check types, key tuples and lists, not string lengths; nor whether
the required strings of CALLER_CHECKS_BLANK are blank (the caller's checks cover it). Ingest threads
may share the cache without a lock: every flattener checks its own shape, so a race can only cost
a slower generic parse (or a duplicate shape), never a wrong event.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.coerce import KNOWN_CANONICAL_IPS, canonical_ip, is_canonical_date
from core.contract import DEFAULT_LIMITS
from core.schema import FIELDS, REQUIRED

Flattener = Callable[[dict[str, Any]], "dict[str, Any] | None"]

MAX_SHAPES = 256  # compiled functions kept in all; later shapes take the generic path
MAX_PER_TOP = 16  # candidates tried for one top-level key tuple (bounds a miss's cost)
MAX_COMPILES = 1024  # compile attempts in all, kept or not (bounds the CPU hostile shapes can cost)
CALLER_CHECKS_BLANK = ("@timestamp", "event.dataset", "event.action")  # in core.schema.REQUIRED order

# Value types that pass as they are, per contract kind (anything else needs coercion: generic path).
_PLAIN_KINDS = {"keyword": (str,), "text": (str,), "long": (int,), "number": (int, float),
                "bool": (bool,), "ip": (str,), "date": (str,), "keyword[]": (list,)}
_SCALARS = (str, int, float, bool, type(None))


class _Uncompilable(Exception):
    """The shape holds something only the generic validator should judge."""


def strings_list(value: list[Any]) -> bool:
    """A contract `keyword[]` value as the validator accepts it unchanged."""
    if len(value) > DEFAULT_LIMITS.max_list:
        return False
    for item in value:
        if type(item) is not str:
            return False
    return True


def scalars_list(value: list[Any]) -> bool:
    """A list of an unknown field as the validator accepts it (scalars only, bounded)."""
    if len(value) > DEFAULT_LIMITS.max_list:
        return False
    for item in value:
        if isinstance(item, (dict, list)):
            return False
    return True


def ip_ok(value: str) -> bool:
    """A canonical address (what coercion would leave unchanged)."""
    return len(value) <= 64 and canonical_ip(value) == value


_HELPERS = {"_strings": strings_list, "_scalars": scalars_list, "_ip": ip_ok, "_date": is_canonical_date,
            "_IPS": KNOWN_CANONICAL_IPS}


class ShapeCache:
    """Compiled flatteners by top-level key tuple; `flatten(doc)` is the fast path, `learn` fills it."""

    def __init__(self, names: dict[str, dict[str, str]]) -> None:
        self._names = names  # prefix -> {key: shared dotted name}, as the generic walk uses
        self._by_top: dict[tuple[str, ...], list[Flattener]] = {}
        self._hits: dict[Flattener, int] = {}
        self.shapes = 0
        self.compiles = 0

    def flatten(self, doc: dict[str, Any]) -> dict[str, Any] | None:
        """The flat view when a compiled shape matches `doc` exactly, else None."""
        candidates = self._by_top.get(tuple(doc))
        if candidates is None:
            return None
        first = candidates[0]
        flat = first(doc)
        if flat is not None:  # the front shape: one count
            self._hits[first] += 1
            return flat
        for i in range(1, len(candidates)):
            flat = candidates[i](doc)
            if flat is not None:
                self._hit(candidates, i)
                return flat
        return None

    def _hit(self, candidates: list[Flattener], i: int) -> None:
        """Count a hit; a shape hit more often than its predecessor moves before it, so the frequent
        shapes settle at the front (a miss costs a few guards per candidate)."""
        hits = self._hits
        hits[candidates[i]] += 1
        if hits[candidates[i]] > hits[candidates[i - 1]]:
            candidates[i - 1], candidates[i] = candidates[i], candidates[i - 1]

    def learn(self, doc: dict[str, Any]) -> None:
        """Compile the shape of a nested `doc` the generic validator accepted without coercion."""
        if self.shapes >= MAX_SHAPES or self.compiles >= MAX_COMPILES:
            return
        top = tuple(doc)
        candidates = self._by_top.get(top, [])
        if len(candidates) >= MAX_PER_TOP:
            return
        self.compiles += 1
        try:
            flattener = _compile(doc, self._names)
        except _Uncompilable:
            return
        if flattener(doc) is None:  # the guards must accept the event they were made from
            return
        self._by_top[top] = [*candidates, flattener]
        self._hits[flattener] = 0
        self.shapes += 1


def _compile(doc: dict[str, Any], names: dict[str, dict[str, str]]) -> Flattener:
    """Generate and compile the guarded straight-line flattener of `doc`'s shape.

    Objects are unpacked level by level, each level's nested objects checked (type and exact key
    tuple) before the next is unpacked, so a near-miss shape fails after a few tuple comparisons;
    leaf types are checked last, then the flat view is returned as one dict display.
    """
    shape = _Shape(names)
    level = [shape.visit(doc, "doc", "")]
    lines: list[str] = []
    while level:
        lines += [node.unpack for node in level]
        structure = [guard for node in level for guard in node.structure]
        if structure:
            lines += [f"if {' or '.join(structure)}:", "    return None"]
        level = [child for node in level for child in node.children]
    lines += [f"if {' or '.join(shape.guards) or 'False'}:", "    return None",
              f"return {{{', '.join(shape.entries)}}}"]
    body = "\n".join("    " + line for line in lines)
    namespace: dict[str, Any] = {**_HELPERS, **shape.constants}
    # The source holds only repr() literals of names and generated variable and constant names.
    exec(compile(f"def _flatten(doc):\n{body}\n", "<event shape>", "exec"), namespace)  # noqa: S102
    return namespace["_flatten"]  # type: ignore[no-any-return]


@dataclass(slots=True)
class _Node:
    """One object of a shape: how its values are unpacked, its nested objects' checks, those objects."""

    unpack: str
    structure: list[str]
    children: list[_Node]


class _Shape:
    """The parts of one shape's flattener, collected in one walk of an accepted document."""

    def __init__(self, names: dict[str, dict[str, str]]) -> None:
        self.names = names
        self.guards: list[str] = []  # leaves: types (and canonical values where coercion would act)
        self.entries: list[str] = []  # the flat view, in document order
        self.count = 0
        # Key names the code compares with, as the exemplar's own string objects: JSON decoders that
        # reuse key objects (orjson caches them) then compare by identity, not by characters.
        self.constants: dict[str, Any] = {}

    def constant(self, value: Any) -> str:
        """The name under which the flattener's code sees `value`."""
        name = f"_k{len(self.constants)}"
        self.constants[name] = value
        return name

    def structure(self, variable: str, value: dict[str, Any]) -> str:
        """The condition under which a nested object's keys differ from the shape's (in order)."""
        if len(value) == 1:
            key = self.constant(next(iter(value)))
            return f"type({variable}) is not dict or len({variable}) != 1 or {key} not in {variable}"
        return f"type({variable}) is not dict or tuple({variable}) != {self.constant(tuple(value))}"

    def visit(self, obj: dict[str, Any], var: str, prefix: str) -> _Node:
        """One object, unpacked from `var` into fresh variables; its children in document order."""
        known = self.names.get(prefix, {})
        variables = [f"v{self.count + i}" for i in range(len(obj))]
        self.count += len(obj)
        if len(obj) == 1:  # a lone key: looked up, cheaper than building and comparing a key tuple
            node = _Node(f"{variables[0]} = {var}[{self.constant(next(iter(obj)))}]", [], [])
        else:
            node = _Node(f"{', '.join(variables)}, = {var}.values()", [], [])
        for key, variable, value in zip(obj, variables, obj.values(), strict=True):
            if not key or len(key) > 256 or "." in key:
                raise _Uncompilable(key)
            name = known.get(key) or prefix + key
            if type(value) is not dict:
                self.guards.append(_guard(name, variable, value))
                self.entries.append(f"{name!r}: {variable}")
                continue
            node.structure.append(self.structure(variable, value))
            if value:  # an empty object adds no field (as in the generic walk)
                node.children.append(self.visit(value, variable, name + "."))
        return node


def _guard(name: str, variable: str, value: Any) -> str:
    """The condition under which a leaf differs from the compiled shape (so the guard fails)."""
    kind = type(value)
    if kind not in _SCALARS and kind is not list:
        raise _Uncompilable(name)
    if value is None:
        return f"{variable} is not None"
    guard = f"type({variable}) is not {kind.__name__}"
    contract = FIELDS.get(name)
    if name in REQUIRED:
        if kind is not str:
            raise _Uncompilable(name)
        # Blank time, dataset and action are the caller's check (`core.event` tests them against the
        # canonical layout and the contract's values anyway, and refuses blank ones itself otherwise).
        return f"{guard} or not {variable}.strip()" if name not in CALLER_CHECKS_BLANK else guard
    if contract is None:
        return f"{guard} or not _scalars({variable})" if kind is list else guard
    if kind not in _PLAIN_KINDS[contract]:
        raise _Uncompilable(name)
    if contract == "keyword[]" and len(value) <= 4:  # short lists (categories): checked inline
        items = "".join(f" or type({variable}[{i}]) is not str" for i in range(len(value)))
        return f"{guard} or len({variable}) != {len(value)}{items}"
    if contract == "ip":  # an address seen before needs only a set lookup, no call
        return f"{guard} or ({variable} not in _IPS and not _ip({variable}))"
    extra = {"keyword[]": "_strings", "date": "_date"}.get(contract)
    return f"{guard} or not {extra}({variable})" if extra else guard
