"""The Sigma matcher: modifiers, wildcards, keywords, conditions and Sigma's case rules."""

from __future__ import annotations

import base64
import fnmatch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sigma.collection import SigmaCollection

from detectors.sigma.compiler import RuleCompileError, compile_rule

RULE = """
title: t
id: 1b4e28ba-2fa1-11d2-883f-0016d3cca427
logsource: {{product: mlm}}
detection:
{detection}
level: low
"""


def matcher(detection: str):
    text = RULE.format(detection="\n".join("  " + line for line in detection.strip().splitlines()))
    return compile_rule(SigmaCollection.from_yaml(text).rules[0])


def test_plain_values_match_case_insensitively_and_inside_lists():
    m = matcher("sel:\n  event.action: Login\n  event.category: authentication\ncondition: sel")
    assert m.match({"event.action": "LOGIN", "event.category": ["web", "Authentication"]})
    assert not m.match({"event.action": "login", "event.category": ["web"]})
    assert not m.match({"event.action": "logout", "event.category": ["authentication"]})
    assert m.actions == frozenset({"login"})


def test_value_lists_are_or_and_all_is_and():
    m = matcher("sel:\n  user.name: [amy, bob]\ncondition: sel")
    assert m.match({"user.name": "Bob"}) and not m.match({"user.name": "carol"})
    m = matcher("sel:\n  url.path|contains|all: [admin, export]\ncondition: sel")
    assert m.match({"url.path": "/Admin/users/export"})
    assert not m.match({"url.path": "/admin/users"})


@pytest.mark.parametrize("spec,hit,miss", [
    ("url.path: '/api/*/orders'", "/API/v2/orders", "/api/v2/orders/1"),
    ("url.path: '/api/v?/x'", "/api/v1/x", "/api/v10/x"),
    ("url.path|contains: 'etc/passwd'", "/x/../../ETC/passwd%00", "/etc/shadow"),
    ("url.path|startswith: '/admin'", "/ADMIN/panel", "/x/admin"),
    ("url.path|endswith: '.php'", "/shell.PHP", "/shell.php.txt"),
    ("url.path: 'a\\*b'", "a*b", "axxb"),
])
def test_wildcards_and_string_modifiers(spec, hit, miss):
    m = matcher(f"sel:\n  {spec}\ncondition: sel")
    assert m.match({"url.path": hit})
    assert not m.match({"url.path": miss})


def test_regex_is_case_sensitive_unless_flagged():
    m = matcher("sel:\n  url.query|re: 'union\\s+select'\ncondition: sel")
    assert m.match({"url.query": "id=1 union  select"})
    assert not m.match({"url.query": "id=1 UNION SELECT"})
    m = matcher("sel:\n  url.query|re|i: 'union\\s+select'\ncondition: sel")
    assert m.match({"url.query": "id=1 UNION SELECT"})


def test_cased_modifier():
    m = matcher("sel:\n  user.name|cased: Amy\ncondition: sel")
    assert m.match({"user.name": "Amy"}) and not m.match({"user.name": "amy"})


def test_cidr_for_v4_and_v6_and_junk():
    m = matcher("sel:\n  source.ip|cidr: [10.0.0.0/8, '2001:db8::/32']\ncondition: sel")
    assert m.match({"source.ip": "10.1.2.3"}) and m.match({"source.ip": "2001:db8::1"})
    assert not m.match({"source.ip": "11.0.0.1"})
    assert not m.match({"source.ip": "not an ip"}) and not m.match({"source.ip": 42})


def test_base64_modifiers():
    m = matcher("sel:\n  http.request.body.content|base64offset|contains: 'cmd.exe'\ncondition: sel")
    for prefix in ("", "x", "xy"):
        encoded = base64.b64encode((prefix + "run cmd.exe now").encode()).decode()
        assert m.match({"http.request.body.content": f"data={encoded}"})
    assert not m.match({"http.request.body.content": "cmd.exe"})
    m = matcher("sel:\n  http.request.body.content|base64: 'secret'\ncondition: sel")
    assert m.match({"http.request.body.content": "c2VjcmV0"})


def test_exists_null_and_empty():
    m = matcher("sel:\n  mlm.target.id|exists: true\ncondition: sel")
    assert m.match({"mlm.target.id": "7"}) and not m.match({"user.id": "7"})
    m = matcher("sel:\n  mlm.target.id|exists: false\ncondition: sel")
    assert m.match({"user.id": "7"}) and not m.match({"mlm.target.id": "7"})
    m = matcher("sel:\n  user.name: null\ncondition: sel")
    assert m.match({}) and m.match({"user.name": None}) and not m.match({"user.name": "amy"})


def test_numeric_comparisons_and_equality():
    m = matcher("sel:\n  mlm.export.records|gte: 1000\ncondition: sel")
    assert m.match({"mlm.export.records": 1000}) and m.match({"mlm.export.records": "5000"})
    assert not m.match({"mlm.export.records": 999}) and not m.match({"mlm.export.records": True})
    assert not m.match({"mlm.export.records": "lots"}) and not m.match({})
    for op, hit, miss in (("gt", 6, 5), ("lt", 4, 5), ("lte", 5, 6)):
        m = matcher(f"sel:\n  n|{op}: 5\ncondition: sel")
        assert m.match({"n": hit}) and not m.match({"n": miss})
    m = matcher("sel:\n  http.response.status_code: 403\ncondition: sel")
    assert m.match({"http.response.status_code": 403}) and m.match({"http.response.status_code": "403"})
    assert not m.match({"http.response.status_code": 404})


def test_booleans():
    m = matcher("sel:\n  mlm.auth.mfa_required: true\ncondition: sel")
    assert m.match({"mlm.auth.mfa_required": True}) and not m.match({"mlm.auth.mfa_required": False})
    assert not m.match({"mlm.auth.mfa_required": 1})


def test_keywords_search_every_string_value():
    m = matcher("keywords:\n  - 'sqlmap'\n  - '*nikto*'\ncondition: keywords")
    assert m.match({"user_agent.original": "SQLMap/1.7"})
    assert m.match({"event.category": ["web"], "x": ["Nikto scanner"]})
    assert not m.match({"user_agent.original": "Mozilla/5.0", "n": 1})
    assert m.actions is None


def test_conditions_not_one_of_all_of_and_parentheses():
    detection = """
sel_login:
  event.action: login
sel_fail:
  event.outcome: failure
filter_local:
  source.ip|cidr: 127.0.0.0/8
condition: (1 of sel_* and not filter_local) or all of them
"""
    m = matcher(detection)
    assert m.match({"event.action": "logout", "event.outcome": "failure", "source.ip": "8.8.8.8"})
    assert not m.match({"event.action": "logout", "event.outcome": "success", "source.ip": "8.8.8.8"})
    assert not m.match({"event.action": "login", "event.outcome": "success", "source.ip": "127.0.0.1"})
    assert m.match({"event.action": "login", "event.outcome": "failure", "source.ip": "127.0.0.1"})
    m = matcher("sel1:\n  a: x\nsel2:\n  b: y\ncondition: all of sel*")
    assert m.match({"a": "X", "b": "Y"}) and not m.match({"a": "x"})


def test_fieldref():
    m = matcher("sel:\n  user.id|fieldref: mlm.target.id\ncondition: sel")
    assert m.match({"user.id": "7", "mlm.target.id": "7"})
    assert not m.match({"user.id": "7", "mlm.target.id": "8"}) and not m.match({"user.id": "7"})


def test_action_dispatch_set():
    m = matcher("a:\n  event.action: [login, mfa_verify]\nb:\n  event.outcome: failure\ncondition: a and b")
    assert m.actions == frozenset({"login", "mfa_verify"})
    m = matcher("a:\n  event.action: login\nb:\n  event.outcome: failure\ncondition: a or b")
    assert m.actions is None


def test_hostile_values_do_not_raise():
    m = matcher("sel:\n  url.path|contains: x\n  n|gte: 3\n  source.ip|cidr: 10.0.0.0/8\ncondition: sel")
    for value in ("\x00" * 10_000, ["a", 1, None, True], 1e308, -0.0, "9" * 39, "::ffff:10.0.0.1%eth0"):
        m.match({"url.path": value, "n": value, "source.ip": value})


def test_unsupported_values_name_the_rule():
    text = RULE.format(detection="  sel:\n    a|expand: '%x%'\n  condition: sel")
    with pytest.raises(RuleCompileError, match="1b4e28ba"):
        compile_rule(SigmaCollection.from_yaml(text).rules[0])


TEXT = st.text(alphabet="aAbB*?\\ .-_é", max_size=12)
PLAIN = st.text(alphabet="aAbB .-_é", min_size=1, max_size=6)
COMPILED = {op: matcher(f"sel:\n  url.path|{op}: 'aB-é'\ncondition: sel") for op in ("contains", "startswith", "endswith")}


@settings(max_examples=200, deadline=None)
@given(value=TEXT)
def test_string_modifiers_agree_with_python(value):
    low = value.lower()
    assert COMPILED["contains"].match({"url.path": value}) == ("ab-é" in low)
    assert COMPILED["startswith"].match({"url.path": value}) == low.startswith("ab-é")
    assert COMPILED["endswith"].match({"url.path": value}) == low.endswith("ab-é")


@settings(max_examples=100, deadline=None)
@given(pattern=PLAIN, value=TEXT)
def test_wildcard_patterns_agree_with_fnmatch(pattern, value):
    spec = f"*{pattern}?"
    m = matcher(f"sel:\n  url.path: '{spec}'\ncondition: sel")
    expected = fnmatch.fnmatchcase(value.lower(), f"*{pattern.lower()}?".replace("[", "[[]"))
    assert m.match({"url.path": value}) == expected


KNOWN = "a:\n  event.action|startswith: LOG\nb:\n  event.action: [login, mfa_verify]\nc:\n  event.outcome: failure\n"


@settings(max_examples=60, deadline=None)
@given(action=st.sampled_from(["login", "LOGIN", "Login", "logout", "mfa_verify", "Mfa_Verify", "order_placed"]),
       outcome=st.sampled_from(["failure", "success", None]),
       condition=st.sampled_from(["(a or b) and not c", "b and c", "not a", "a and not b"]))
def test_a_known_action_decides_action_tests_as_the_event_would(action, outcome, condition):
    rule = SigmaCollection.from_yaml(RULE.format(detection="\n".join(
        "  " + line for line in (KNOWN + f"condition: {condition}").splitlines()))).rules[0]
    generic, known = compile_rule(rule), compile_rule(rule, known_action=action.lower())
    flat = {"event.action": action, "event.outcome": outcome}
    assert known.match(flat) == generic.match(flat)
    assert "event.action" not in known.source and known.fields == generic.fields


def test_a_cased_action_test_is_still_made_on_the_event():
    m = matcher("sel:\n  event.action|cased: Login\ncondition: sel")
    rule = SigmaCollection.from_yaml(RULE.format(detection="  sel:\n    event.action|cased: Login\n  condition: sel")).rules[0]
    known = compile_rule(rule, known_action="login")
    assert "event.action" in known.source
    assert known.match({"event.action": "Login"}) and not known.match({"event.action": "LOGIN"})
    assert m.match({"event.action": "Login"})
