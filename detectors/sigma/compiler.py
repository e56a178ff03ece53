"""Compile one Sigma detection (parsed by pySigma) into one generated Python function over `event.flat`.

A generated function per rule is ~4x faster than a tree of closures (FACTS.md). String matching
is case-insensitive as Sigma specifies, except values with the `cased` modifier and regexes
(which take their own `i`, `m`, `s` flags). Regexes are searched, not anchored.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sigma.conditions import (
    ConditionAND,
    ConditionFieldEqualsValueExpression,
    ConditionNOT,
    ConditionOR,
    ConditionValueExpression,
)
from sigma.exceptions import SigmaError
from sigma.rule import SigmaRule
from sigma.types import (
    SigmaBool,
    SigmaCasedString,
    SigmaCIDRExpression,
    SigmaCompareExpression,
    SigmaExists,
    SigmaExpansion,
    SigmaFieldReference,
    SigmaNull,
    SigmaNumber,
    SigmaRegularExpression,
    SigmaString,
    SpecialChars,
)

from detectors.sigma import values

_ACTION = "event.action"
# Case-insensitive text tests decided at compile time on a known lower-cased value.
_STATIC: dict[str, Callable[[str, Any], bool]] = {
    "eq": lambda text, c: text == c, "in": lambda text, c: text in c, "contains": lambda text, c: c in text,
    "startswith": lambda text, c: text.startswith(c), "endswith": lambda text, c: text.endswith(c),
}
_COMPARE = {"LT": "lt", "LTE": "lte", "GT": "gt", "GTE": "gte", "NEQ": "neq"}


class RuleCompileError(ValueError):
    """A rule could not be compiled; the message starts with the rule file and rule id."""


@dataclass(slots=True)
class CompiledMatcher:
    """A rule's generated predicate, the event actions it can match (None = any) and its fields."""

    match: Callable[[dict[str, Any]], bool]
    actions: frozenset[str] | None
    fields: frozenset[str]
    source: str


def where(rule: Any) -> str:
    """`path: rule <id or title>` for error messages."""
    path = getattr(getattr(rule, "source", None), "path", None) or "<string>"
    return f"{path}: rule {rule.id or rule.title!r}"


def compile_rule(rule: SigmaRule, known_action: str | None = None) -> CompiledMatcher:
    """Compile a rule's condition(s) into one function; raises RuleCompileError with its location.

    With `known_action` (lower case) the function is only ever called on events whose lower-cased
    `event.action` is that text, so case-insensitive tests of `event.action` are decided here.
    """
    try:
        trees = [cond.parse() for cond in rule.detection.parsed_condition]
    except SigmaError as exc:
        raise RuleCompileError(f"{where(rule)}: condition: {exc}") from None
    gen = _Generator(where(rule), known_action)
    try:
        exprs = [gen.node(tree) for tree in trees]
    except RuleCompileError as exc:
        message = str(exc)
        raise RuleCompileError(message if message.startswith(gen.location) else f"{gen.location}: {message}") from None
    expr = " or ".join(f"({e})" for e in exprs)
    source = f"def _rule(f):\n    return {expr}\n"
    namespace = dict(gen.namespace)
    exec(compile(source, f"<sigma {where(rule)}>", "exec"), namespace)  # noqa: S102 - our own generated code
    actions = [_required_actions(tree) for tree in trees]
    merged = None if any(a is None for a in actions) else frozenset().union(*actions)  # type: ignore[arg-type]
    return CompiledMatcher(namespace["_rule"], merged, frozenset(gen.fields), source)


class _Generator:
    """Turns a condition tree into one Python expression; constants go into `namespace`."""

    def __init__(self, location: str, known_action: str | None = None) -> None:
        self.location = location
        self.known_action = known_action
        self.fields: set[str] = set()
        self.namespace: dict[str, Any] = {
            "_any_text": values.any_text, "_number_eq": values.number_eq, "_bool_eq": values.bool_eq,
            "_is_null": values.is_null, "_compare": values.compare, "_in_network": values.in_network,
            "_field_equal": values.field_equal, "_keyword": values.keyword,
        }

    def const(self, value: Any) -> str:
        name = f"_c{len(self.namespace)}"
        self.namespace[name] = value
        return name

    def fail(self, message: str) -> RuleCompileError:
        return RuleCompileError(f"{self.location}: {message}")

    def node(self, node: Any) -> str:
        if isinstance(node, ConditionAND):
            return " and ".join(f"({self.node(a)})" for a in node.args)
        if isinstance(node, ConditionOR):
            return self._or(node.args)
        if isinstance(node, ConditionNOT):
            return f"not ({self.node(node.args[0])})"
        if isinstance(node, ConditionFieldEqualsValueExpression):
            self.fields.add(node.field)
            return self.leaf(node.field, node.value)
        if isinstance(node, ConditionValueExpression):
            return self.keyword(node.value)
        raise self.fail(f"unsupported condition element {type(node).__name__}")

    def _or(self, args: list[Any]) -> str:
        """OR, with plain case-insensitive equalities on one field merged into one set lookup."""
        sets: dict[str, set[str]] = {}
        rest: list[str] = []
        for arg in args:
            if isinstance(arg, ConditionFieldEqualsValueExpression) and _plain_text(arg.value) is not None:
                self.fields.add(arg.field)
                sets.setdefault(arg.field, set()).add(_plain_text(arg.value))  # type: ignore[arg-type]
            else:
                rest.append(self.node(arg))
        for field, texts in sets.items():
            if len(texts) == 1:
                rest.insert(0, self.string(field, "eq", texts.pop(), cased=False))
            else:
                rest.insert(0, self.string(field, "in", frozenset(texts), cased=False))
        return " or ".join(f"({e})" for e in rest)

    def leaf(self, field: str, value: Any) -> str:
        get = f"f.get({field!r})"
        if isinstance(value, SigmaString):
            kind, operand = _classify(value)
            return self.string(field, kind, operand, isinstance(value, SigmaCasedString))
        if isinstance(value, SigmaExpansion):
            return " or ".join(f"({self.leaf(field, v)})" for v in value.values) or "False"
        if isinstance(value, SigmaBool):
            return f"_bool_eq({get}, {bool(value.boolean)!r})"
        if isinstance(value, SigmaNumber):
            return f"_number_eq({get}, {value.number!r})"
        if isinstance(value, SigmaNull):
            return f"_is_null({get})"
        if isinstance(value, SigmaExists):
            return f"({get} is {'not ' if value.exists else ''}None)"
        if isinstance(value, SigmaCompareExpression):
            op = _COMPARE[value.op.name]
            return f"_compare({get}, {op!r}, {value.number.number!r})"
        if isinstance(value, SigmaRegularExpression):
            flags = sum((SigmaRegularExpression.sigma_to_python_flags[f] for f in value.flags), 0)
            pattern = self.const(re.compile(str(value.regexp), flags))
            return self._text(get, lambda var: f"{pattern}.search({var}) is not None")
        if isinstance(value, SigmaCIDRExpression):
            return f"_in_network({get}, {self.const(value.network)})"
        if isinstance(value, SigmaFieldReference):
            if value.starts_with or value.ends_with:
                raise self.fail(f"{field}: fieldref with startswith/endswith is not supported")
            self.fields.add(value.field)
            return f"_field_equal({get}, f.get({value.field!r}))"
        raise self.fail(f"{field}: unsupported value type {type(value).__name__}")

    def string(self, field: str, kind: str, operand: Any, cased: bool) -> str:
        if field == _ACTION and self.known_action is not None and not cased and kind in _STATIC:
            return repr(_STATIC[kind](self.known_action, operand.lower() if kind != "in" else operand))
        return self._text(f"f.get({field!r})", self._string_pred(kind, operand, cased))

    def _string_pred(self, kind: str, operand: Any, cased: bool) -> Callable[[str], str]:
        """A predicate expression on a string variable, given the variable's name."""
        if kind == "any":
            return lambda var: "True"
        if kind == "regex":
            c = self.const(operand)
            return lambda var: f"{c}.fullmatch({var}) is not None"
        if isinstance(operand, str) and not cased:
            operand = operand.lower()
        c = self.const(operand)
        low = "{0}" if cased else "{0}.lower()"
        template = {
            "eq": f"{low} == {c}", "in": f"{low} in {c}", "contains": f"{c} in {low}",
            "startswith": f"{low}.startswith({c})", "endswith": f"{low}.endswith({c})",
        }[kind]
        return template.format

    def _pred_const(self, pred: Callable[[str], str]) -> str:
        return self.const(eval(f"lambda s: {pred('s')}", self.namespace))

    def _text(self, get: str, pred: Callable[[str], str]) -> str:
        """Inline the predicate for a plain string value; lists, numbers, booleans take the helper."""
        fallback = self._pred_const(pred)
        return f"({pred('_v')} if (_v := {get}).__class__ is str else _any_text(_v, {fallback}))"

    def keyword(self, value: Any) -> str:
        if not isinstance(value, SigmaString):
            value = SigmaString(str(value.to_plain()))
        kind, operand = _classify(value)
        if kind == "eq":  # Sigma keywords are substring searches over the event
            kind = "contains"
        pred = self._string_pred(kind, operand, isinstance(value, SigmaCasedString))
        return f"_keyword(f, {self._pred_const(pred)})"


def _plain_text(value: Any) -> str | None:
    """The lower-cased text of a wildcard-free, case-insensitive string value, else None."""
    if type(value) is SigmaString and not value.contains_special():
        kind, operand = _classify(value)
        return operand.lower() if kind == "eq" else None
    return None


def _classify(value: SigmaString) -> tuple[str, Any]:
    """eq / contains / startswith / endswith / any on a plain text, or a compiled wildcard regex."""
    parts = list(value.s)
    if any(not isinstance(p, (str, SpecialChars)) for p in parts):
        raise RuleCompileError(f"placeholders are not supported: {value}")
    multi = SpecialChars.WILDCARD_MULTI
    texts = [p for p in parts if isinstance(p, str)]
    specials = [p for p in parts if not isinstance(p, str)]
    if not specials:
        return "eq", "".join(texts)
    if parts == [multi]:
        return "any", None
    if len(texts) == 1 and all(p is multi for p in specials):
        if parts == [multi, texts[0], multi]:
            return "contains", texts[0]
        if parts == [texts[0], multi]:
            return "startswith", texts[0]
        if parts == [multi, texts[0]]:
            return "endswith", texts[0]
    pattern = "".join(
        re.escape(p) if isinstance(p, str) else (".*" if p is multi else ".") for p in parts
    )
    flags = re.DOTALL | (0 if isinstance(value, SigmaCasedString) else re.IGNORECASE)
    return "regex", re.compile(pattern, flags)


def _required_actions(node: Any) -> frozenset[str] | None:
    """The event.action values a condition can match, or None when it can match any action."""
    if isinstance(node, ConditionFieldEqualsValueExpression):
        if node.field == _ACTION:
            text = _plain_text(node.value)
            return frozenset([text]) if text is not None else None
        return None
    if isinstance(node, ConditionAND):
        found = [a for a in map(_required_actions, node.args) if a is not None]
        return frozenset.intersection(*found) if found else None
    if isinstance(node, ConditionOR):
        options = [_required_actions(a) for a in node.args]
        known = [a for a in options if a is not None]
        return frozenset().union(*known) if len(known) == len(options) else None
    return None
