"""Runtime helpers the generated rule functions call for the uncommon value shapes.

The generated code inlines the common case (a string field compared with a constant); these
helpers handle lists, numbers, booleans, nulls, CIDR ranges, comparisons and keywords.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any

StrPred = Callable[[str], bool]


def as_text(value: Any) -> str | None:
    """The string form Sigma compares against: booleans as true/false, numbers as written."""
    if value.__class__ is str:
        return value
    if value is None or isinstance(value, (dict, list)):
        return None
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def any_text(value: Any, pred: StrPred) -> bool:
    """Apply a string predicate to a scalar or to every item of a list (any item may match)."""
    if isinstance(value, list):
        for item in value:
            text = as_text(item)
            if text is not None and pred(text):
                return True
        return False
    text = as_text(value)
    return text is not None and pred(text)


def as_number(value: Any) -> float | int | None:
    """A numeric view of a value for gt/gte/lt/lte and number equality (never from booleans)."""
    if value.__class__ in (int, float):
        return value
    if isinstance(value, str) and len(value) < 40:
        try:
            return float(value)
        except ValueError:
            return None
    return None


def number_eq(value: Any, number: float) -> bool:
    """Sigma number equality: the field holds that number, or a string spelling it."""
    if isinstance(value, list):
        return any(number_eq(item, number) for item in value)
    if isinstance(value, bool):
        return False
    found = as_number(value)
    return found is not None and found == number


def bool_eq(value: Any, wanted: bool) -> bool:
    if isinstance(value, list):
        return any(bool_eq(item, wanted) for item in value)
    if isinstance(value, bool):
        return value is wanted
    return isinstance(value, str) and value.lower() == ("true" if wanted else "false")


def is_null(value: Any) -> bool:
    """Sigma `null`: the field is missing, null or empty."""
    return value is None or value == "" or value == []


def compare(value: Any, op: str, number: float) -> bool:
    """gt/gte/lt/lte against a number; a list matches when any item does."""
    if isinstance(value, list):
        return any(compare(item, op, number) for item in value)
    if isinstance(value, bool):
        return False
    found = as_number(value)
    if found is None:
        return False
    if op == "gt":
        return found > number
    if op == "gte":
        return found >= number
    if op == "lt":
        return found < number
    if op == "lte":
        return found <= number
    return found != number


def in_network(value: Any, network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> bool:
    if isinstance(value, list):
        return any(in_network(item, network) for item in value)
    if not isinstance(value, str) or len(value) > 45:
        return False
    try:
        return ipaddress.ip_address(value) in network
    except ValueError:
        return False


def field_equal(left: Any, right: Any) -> bool:
    """`fieldref`: two fields hold the same value (strings compared case-insensitively)."""
    if left is None or right is None:
        return False
    if isinstance(left, str) and isinstance(right, str):
        return left.lower() == right.lower()
    return bool(left == right)


def keyword(flat: dict[str, Any], pred: StrPred) -> bool:
    """A keyword (field-less value) matches when any string value of the event does."""
    for value in flat.values():
        if any_text(value, pred):
            return True
    return False
