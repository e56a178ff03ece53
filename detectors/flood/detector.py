"""Request floods per IP, per network, per path (login included) and for the whole service.

Every HTTP request is counted under four keys; a key is judged (judge.py) when it rolls over into
a new bucket or its open bucket reaches a checkpoint. Counting is the hot path of the whole
detection engine (most events are HTTP requests), so it is written for the interpreter: at most
one dict lookup per key (the last request's IP and service are remembered), states that point at
each other instead of being looked up again, no network state while a network shows one address
(networks.py), and thresholds turned into request counts once, so a rollover is judged with one
comparison.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.alert import Alert
from core.event import Event
from detectors.flood.baseline import Baseline
from detectors.flood.features import network_of, path_features
from detectors.flood.judge import CHECKPOINTS, SLOW_KEEP_RATE, Judge
from detectors.flood.networks import Networks
from detectors.flood.window import (
    BUCKET_SECONDS,
    DETACHED,
    EVIDENCE_FROM,
    LANE_BITS,
    LOGIN,
    MAX_CLIENTS,
    NO_SESSION,
    SOLO,
    UNRESOLVED,
    WINDOW_BUCKETS,
    KeyState,
    KeyTable,
)

SWEEP_BUCKETS = 6
MAX_IPS, MAX_NETWORKS, MAX_PATHS = 200_000, 50_000, 5_000
MAX_DEVICES = 200_000  # device ids remembered to tell returning visitors from new ones
MAX_CLIENT_TEXT = 128
MAX_ROUTES = 16_384  # raw paths remembered per method kind; cleared when full (random paths)
WINDOW_SECONDS = WINDOW_BUCKETS * BUCKET_SECONDS
# What one request adds to a key's packed counters (window.KeyState): one TOTAL, plus one in the
# lane of each sign of a non-visitor it shows.
NO_SESSION_STEP, NO_REFERRER_STEP, ASSET_STEP, NEW_DEVICE_STEP, FAILED_STEP, LOGIN_STEP = (
    1 << (LANE_BITS * slot) for slot in range(NO_SESSION, LOGIN + 1))

# A raw path's key state, the step it starts a request with, and what a refusal adds (FAILED, and
# LOGIN when the path is a login form: window.LOGIN counts refused login attempts).
Route = tuple[KeyState, int, int]
_NOBODY = KeyState(DETACHED)  # no request's service or IP: its key "" is none (they default to "unknown")


class FloodDetector(Judge):
    """Event-time flood detection with bounded state; Trainable from baseline traffic."""

    name = "flood"
    datasets = frozenset({"mlm.http"})  # the engine skips the other datasets (_track ignores them)

    def __init__(self, baseline: Baseline | None = None) -> None:
        self.baseline = baseline or Baseline()
        self.devices: dict[str, None] = {}  # returning devices survive fitting: baseline visitors return
        self._learning = False
        self.solo_networks = True  # networks.py; tests compare with every network counted apart
        self.process = self._track  # type: ignore[method-assign]
        self._reset()

    def _reset(self) -> None:
        self.ips = KeyTable(MAX_IPS)
        self.networks = Networks(MAX_NETWORKS)
        self.paths = KeyTable(MAX_PATHS)
        self.services = KeyTable(64)
        # The tables' dicts, for the hot path; raw path -> Route, for GET and the like, and for POST.
        self._ip_keys, self._path_keys, self._service_keys = self.ips.keys, self.paths.keys, self.services.keys
        self._routes: tuple[dict[str, Route], dict[str, Route]] = ({}, {})
        self._swept = -1.0  # the bucket last swept
        self._service = self._ip = _NOBODY  # the last request's service and IP states
        self._set_limits()

    def _set_limits(self) -> None:
        """Thresholds as window request counts, under which a key cannot be fast enough to judge
        (zero while learning: every window is then recorded)."""
        threshold, learning = self.baseline.threshold, self._learning
        self._ip_limit = 0.0 if learning else threshold("ip", "", 0) * WINDOW_BUCKETS * BUCKET_SECONDS
        self._slow_limit = float("inf") if learning else SLOW_KEEP_RATE * WINDOW_BUCKETS * BUCKET_SECONDS
        self._ip_gate = min(self._ip_limit, self._slow_limit)
        self._network_limit = 0.0 if learning else threshold("network", "", 0) * WINDOW_BUCKETS * BUCKET_SECONDS
        self._service_limit = 0.0 if learning else min(  # the quietest hour's: a bound for every hour
            threshold("service", "", hour * 3600.0) for hour in range(24)) * WINDOW_BUCKETS * BUCKET_SECONDS
        for state in self._path_keys.values():
            state.limit = self._path_limit(state.key, state.login)

    def _path_limit(self, path: str, login: bool) -> float:
        if self._learning:
            return 0.0
        return self.baseline.threshold("path", path, 0, login) * WINDOW_BUCKETS * BUCKET_SECONDS

    def _learn(self, learning: bool) -> None:
        """Switch between learning from baseline traffic and detecting."""
        self._learning = learning
        # While detecting, `process` is the hot path itself: a wrapper would cost a call per request.
        self.process = self._detect_after_learning if learning else self._track  # type: ignore[method-assign]
        self._set_limits()

    # -- Trainable -------------------------------------------------------------------------
    def observe_baseline(self, event: Event) -> None:
        if not self._learning:
            self._learn(True)
        self._track(event)

    def fit_baseline(self) -> None:
        self.baseline.fit()
        self._learning = False
        self._reset()

    def save(self, directory: Path) -> None:
        self.baseline.save(directory)

    def load(self, directory: Path) -> bool:
        loaded = self.baseline.load(directory)
        self._set_limits()
        return loaded

    # -- detection -------------------------------------------------------------------------
    def process(self, event: Event) -> list[Alert]:
        """Detect on one event (instances bind `process` straight to `_track`, see `_learn`)."""
        if self._learning:
            self._learn(False)
        return self._track(event)

    def _detect_after_learning(self, event: Event) -> list[Alert]:
        self._learn(False)
        return self._track(event)

    def _track(self, event: Event) -> list[Alert]:
        """Count one HTTP request under its IP, network, path and service keys, judging the keys that
        roll over first. Field types are the contract's (core.coerce made them so)."""
        flat = event.flat
        try:  # the fields every HTTP request carries: indexing is cheaper than get()
            if flat["event.dataset"] != "mlm.http":
                return []
            ip, method, raw_path = flat["source.ip"] or "unknown", flat["http.request.method"], flat["url.path"]
            service, failed = flat["service.name"] or "unknown", flat["event.outcome"] == "failure"
            failed = failed or (flat["http.response.status_code"] or 0) >= 400
        except KeyError:
            if flat.get("event.dataset") != "mlm.http":
                return []
            ip, method, raw_path, service, failed = _request_line(flat)
        bucket = event.ts // BUCKET_SECONDS  # a whole float: exact, and cheaper than int()
        alerts: list[Alert] = []
        # Rolled over here, judged only past a bound (a method call per rollover is the cost to save).
        ip_state = self._ip  # the last request's: floods and page loads come from one address in a row
        if ip != ip_state.key:
            self._ip = ip_state = self._ip_keys.get(ip) or self._new_ip(ip, bucket)
        if bucket > ip_state.bucket and (ip_state.roll(bucket) >= self._ip_gate or ip_state.slow_since >= 0):
            alerts += self._judge_ip(event, ip_state)
        net_state = ip_state.net
        if bucket > net_state.bucket:
            net_state = self._open_network(ip_state, bucket, event, alerts)
        post = method == "POST" or (method != "GET" and str(method).upper() == "POST")
        route = self._routes[post].get(raw_path) or self._route(raw_path or "/", post, bucket)
        path_state, step, fail_step = route
        if bucket > path_state.bucket and (path_state.bucket == DETACHED or path_state.roll(bucket) >= path_state.limit):
            path_state = self._open_path(route, raw_path, post, service, bucket, event, alerts)
        svc_state = self._service  # most streams are one service's: a compare, not a lookup
        if service != svc_state.key or bucket > svc_state.bucket:
            svc_state = self._open_service(service, bucket, event, alerts)
        if self._count(flat, step + fail_step if failed else step, ip_state, net_state, path_state, svc_state):
            alerts += self._checkpoints(event, service, (ip_state, net_state, path_state, svc_state))
        return alerts

    def _count(self, flat: dict[str, Any], step: int, ip_state: KeyState, net_state: KeyState,
               path_state: KeyState, svc_state: KeyState) -> bool:
        """Count the request in its keys' open buckets; True when one reached a checkpoint count."""
        get = flat.get
        device = get("mlm.device.id")
        client = get("mlm.session.id") or device  # tells the people behind one address apart
        if not client:
            step += NO_SESSION_STEP
            client = get("user_agent.original") or "-"
        if not device or (device not in self.devices and self._new_device(device)):
            step += NEW_DEVICE_STEP
        if not get("http.request.referrer"):
            step += NO_REFERRER_STEP
        # Busiest-source counts are this bucket's counts of the event's IP and path: an upper bound
        # of one source's share, enough to see when one IP or one path carries a spike. A path's own
        # top_path is its total (window.KeyState), so it is not kept per request.
        path_state.packed += step
        path_state.requests = path_count = path_state.requests + 1
        ip_state.packed += step
        ip_state.requests = ip_count = ip_state.requests + 1
        if path_count > ip_state.top_path:  # noqa: PLR1730 - a compare is cheaper than max() per request
            ip_state.top_path = path_count
        if ip_count > path_state.top_ip:  # noqa: PLR1730
            path_state.top_ip = ip_count
        clients: dict[str, float] = ip_state.clients  # type: ignore[assignment]  # an IP's always has one (_new_ip)
        client = client[:MAX_CLIENT_TEXT]  # the same object when short: no copy
        if len(clients) < MAX_CLIENTS or client in clients:
            clients[client] = ip_state.bucket
        # Busy keys keep the event id as evidence, and are judged at checkpoint counts (inline: a
        # call per busy key would cost more than the work).
        checkpoint = False  # EVIDENCE_FROM (10) <= 64 <= every checkpoint count
        if ip_count >= EVIDENCE_FROM:
            (ip_state.ids or ip_state.evidence_ids()).append(flat["event.id"])
            checkpoint = ip_count in CHECKPOINTS
        if path_count >= EVIDENCE_FROM:
            (path_state.ids or path_state.evidence_ids()).append(flat["event.id"])
            checkpoint = checkpoint or path_count in CHECKPOINTS
        if net_state is not SOLO:  # else the IP stands for its network (networks.py)
            net_state.packed += step
            net_state.requests = total = net_state.requests + 1
            if ip_count > net_state.top_ip:  # noqa: PLR1730
                net_state.top_ip = ip_count
            if path_count > net_state.top_path:  # noqa: PLR1730
                net_state.top_path = path_count
            if total >= EVIDENCE_FROM:
                (net_state.ids or net_state.evidence_ids()).append(flat["event.id"])
                checkpoint = checkpoint or total in CHECKPOINTS
        svc_state.packed += step
        svc_state.requests = total = svc_state.requests + 1
        if ip_count > svc_state.top_ip:  # noqa: PLR1730
            svc_state.top_ip = ip_count
        if path_count > svc_state.top_path:  # noqa: PLR1730
            svc_state.top_path = path_count
        if total >= EVIDENCE_FROM:
            (svc_state.ids or svc_state.evidence_ids()).append(flat["event.id"])
            checkpoint = checkpoint or total in CHECKPOINTS
        return checkpoint

    # -- a key seen for the first time, or in a later bucket: rolled over, then judged ------------
    def _new_ip(self, ip: str, bucket: float) -> KeyState:
        state = KeyState(bucket, ip)
        state.network = network_of(ip)
        state.net = UNRESOLVED  # resolved by _open_network, next
        state.clients = {}
        return self.ips.add(state)

    def _judge_ip(self, event: Event, state: KeyState) -> list[Alert]:
        """An IP state just rolled over with `recent` past a bound, or in a slow flood's streak."""
        recent = state.recent
        alerts = self._check_ip(event, state) if recent >= self._ip_limit else []
        if recent >= self._slow_limit:
            alerts += self._check_sustained(event, state)
        elif state.slow_since >= 0:
            state.slow_since = -1.0  # a pause ends a slow flood's streak
        return alerts

    def _open_network(self, ip_state: KeyState, bucket: float, event: Event, alerts: list[Alert]) -> KeyState:
        state = ip_state.net
        if state.bucket == DETACHED:  # a new IP, or its network's state was dropped: look it up
            # While learning every network is a key of its own: the baseline records its windows.
            state = self.networks.resolve(ip_state, bucket, solo=self.solo_networks and not self._learning)
            if bucket <= state.bucket:  # SOLO, or a network counted ahead (a late event)
                return state
        if state.roll(bucket) >= self._network_limit:
            alerts += self._check_network(event, state)
        return state

    def _route(self, raw_path: str, post: bool, bucket: float) -> Route:
        """A raw path not seen lately: its key's state (started here when new) and first step."""
        routes = self._routes[post]
        if len(routes) >= MAX_ROUTES:
            routes.clear()
        path, login, asset = path_features(str(raw_path), post)
        state = self._path_keys.get(path)
        if state is None:
            state = self._add_path(path, login, bucket)
        route = routes[raw_path] = (state, ASSET_STEP + 1 if asset else 1,
                                    FAILED_STEP + LOGIN_STEP if login else FAILED_STEP)
        return route

    def _add_path(self, path: str, login: bool, bucket: float) -> KeyState:
        state = KeyState(bucket, path)
        state.login = login  # the key tells (features.path_features), so it is stored once
        state.limit = self._path_limit(path, login)
        return self.paths.add(state)

    def _open_path(self, route: Route, raw_path: str, post: bool, service: str, bucket: float, event: Event,
                   alerts: list[Alert]) -> KeyState:
        """A route's path state just rolled over past its limit (judged), or dropped from its table."""
        state = route[0]
        if state.bucket == DETACHED:  # dropped from the table: the key's current state, or a new one
            state = self._path_keys.get(state.key) or self._add_path(state.key, state.login, bucket)
            self._routes[post][raw_path] = (state, route[1], route[2])
            if bucket <= state.bucket or state.roll(bucket) < state.limit:
                return state
        alerts += self._check_path(event, service, state)
        return state

    def _open_service(self, service: str, bucket: float, event: Event, alerts: list[Alert]) -> KeyState:
        """The service's state, now the remembered one: new, rolled over (and judged), or as it was."""
        state = self._service_keys.get(service)
        if state is None:
            state = self.services.add(KeyState(bucket, service))
        elif bucket > state.bucket:
            if state.roll(bucket) >= self._service_limit:
                alerts += self._check_service(event, state)
            if bucket % SWEEP_BUCKETS == 0 and bucket != self._swept:  # once per bucket, not per service
                self._swept = bucket
                for table in (self.ips, self.networks, self.paths):
                    table.sweep(bucket)
                self._ip = _NOBODY  # it may have been swept: looked up again
        self._service = state
        return state

    def _new_device(self, device: str) -> bool:
        """True for a device id never seen before, which is then remembered (bounded memory)."""
        device = device[:MAX_CLIENT_TEXT]
        if device in self.devices:
            return False
        self.devices[device] = None
        if len(self.devices) > MAX_DEVICES:
            del self.devices[next(iter(self.devices))]
        return True


def _request_line(flat: dict[str, Any]) -> tuple[str, Any, Any, str, bool]:
    """(ip, method, raw path, service, failed) of a request missing some of them."""
    get = flat.get
    status = get("http.response.status_code")
    failed = get("event.outcome") == "failure" or (isinstance(status, int) and status >= 400)
    return (get("source.ip") or "unknown", get("http.request.method"), get("url.path"),
            get("service.name") or "unknown", failed)
