"""Hostile inputs shared by the security tests: control characters, escapes, injections, huge strings."""

from __future__ import annotations

from hypothesis import strategies as st

SAMPLES = [
    "",
    "\x00",
    "a\r\nX-Injected: 1",
    "\x1b[31mred\x1b[0m",
    "admin\nINFO forged log line",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "${jndi:ldap://x/a}",
    "../../etc/passwd",
    "%00%0d%0a",
    "\u202e\u2066",
    "9" * 400,
    str(2**63),  # one past the 64-bit integer columns of SQLite and PostgreSQL
    str(10**30),
    "-1",
    "1e309",
    "x" * 5000,
    "//evil.example",
    "https://evil.example/",
    "{{7*7}}",
    "null",
]

hostile_text = st.one_of(st.sampled_from(SAMPLES), st.text(max_size=60))
json_scalar = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70), st.floats(), hostile_text
)
json_value = st.recursive(
    json_scalar,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(hostile_text, inner, max_size=4)),
    max_leaves=10,
)

# Row ids at and past the edges of 64-bit integer columns, and not numbers at all.
EDGE_IDS = ["0", "-1", str(2**63 - 1), str(2**63), str(10**30), "1e3", "\x00"]
