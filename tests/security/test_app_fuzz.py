"""Property-based fuzzing of the MLM platform's routes (not business/, fuzzed by its owners) as a signed-in
distributor and as an admin: hostile path, query and form values never give a 5xx or internals."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from hostile import EDGE_IDS, hostile_text, json_value
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mlmapp_helpers import csrf, signed_in
from sec_dash import PATH_PARAM, api_routes, assert_clean

# Routes that would end the fuzzing client's own session (each has its own tests).
SKIP_STATEFUL = {
    ("POST", "/logout"),
    ("POST", "/account/privacy/erase"),
    ("POST", "/account/sessions/revoke-others"),
}

FUZZ = settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
FIELDS = [
    "username",
    "password",
    "next",
    "code",
    "recovery_code",
    "email",
    "phone",
    "current_password",
    "new_password",
    "tax_id",
    "birth_date",
    "account_number",
    "category",
    "message",
    "role",
    "token",
    "confirm",
    "reason",
    "display_name",
]
path_value = st.one_of(hostile_text, st.integers(min_value=-(2**80), max_value=2**80).map(str))


def _platform_routes(app: Any) -> list[tuple[str, str]]:
    return [
        (r.path, m)
        for r in api_routes(app)
        for m in sorted(r.methods)
        if r.endpoint.__module__.startswith("mlm_app.")
        and not r.endpoint.__module__.startswith("mlm_app.business")
        and (m, r.path) not in SKIP_STATEFUL
    ]


def test_platform_routes_survive_hostile_input(harness: Any) -> None:
    client, _uid, _ = signed_in(harness, "ada.admin", role="admin")
    token = csrf(client, "/account/profile")
    routes = _platform_routes(harness.app)
    assert len(routes) >= 30

    @FUZZ
    @given(
        params=st.lists(path_value, min_size=2, max_size=2),
        query=st.dictionaries(
            st.sampled_from(["next", "changed", "saved", "q", "token", "page"]), hostile_text, max_size=2
        ),
        form=st.dictionaries(st.sampled_from(FIELDS), hostile_text, max_size=4),
        body=json_value,
    )
    def run(
        route: tuple[str, str], params: list[str], query: dict[str, str], form: dict[str, str], body: Any
    ) -> None:
        path, method = route
        it = iter(params)
        url = PATH_PARAM.sub(lambda _m: quote(next(it, "1"), safe=""), path)
        if url == "/account/sessions/1/revoke":
            return  # the client's own session
        if method == "GET":
            r = client.get(url, params=query)
        elif path.startswith("/api/"):
            r = client.post(
                url, json=body, headers={"Authorization": "Bearer resp-token-for-security-tests-0123456789"}
            )
        else:
            r = client.request(method, url, data={**form, "csrf_token": token})
        assert_clean(r, (method, url, query, form))

    for route in routes:  # each route gets its own examples: one shared budget missed rare routes
        for edge in EDGE_IDS:  # the values random draws reach too rarely
            run.hypothesis.inner_test(route, [edge, edge], {}, {}, {})
        run(route)
    assert client.get("/account/security").status_code == 200  # still signed in: the inputs reached handlers
