"""Request floods per IP, per network, per path (login included) and for the whole service.

A rate above its threshold is necessary, never sufficient: a flood also looks like one (requests
without sessions or device ids, referrers, asset fetches or returning devices, all on one path;
failing logins; one client doing the work of many). A promo flash crowd is fast too, but made of
real sessions that load pages with their assets.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from core.alert import Alert
from core.event import Event
from detectors.flood.baseline import Baseline
from detectors.flood.features import Request, request_of
from detectors.flood.window import (
    BUCKET_SECONDS,
    FAILED,
    NO_SESSION,
    WINDOW_BUCKETS,
    KeyState,
    KeyTable,
    WindowStats,
    increment,
)

FLOOD_SCORE_MIN = 0.6  # flash crowds score under 0.25 (sessions, assets); tools and bots near 1
CLIENT_RATE_MAX = 5.0  # req/s per distinct client behind one IP; a NAT of people stays under it
LOGIN_FAIL_MIN = 0.7  # a login flood fails; a crowd of members logging in mostly succeeds
DOMINANT_SHARE = 0.8  # when one IP makes most of a spike, the IP alert tells the story alone
SUPPRESS_SECONDS = 300.0
SWEEP_BUCKETS = 6
# A key is also judged mid-bucket when its open bucket reaches one of these counts, so a burst
# that starts and stops inside one bucket (wrk for 5 s) alerts too, at a cost of a few checks.
CHECKPOINTS = frozenset(1 << k for k in range(6, 26))
MAX_IPS, MAX_NETWORKS, MAX_PATHS = 200_000, 50_000, 5_000
MAX_DEVICES = 200_000  # device ids remembered to tell returning visitors from new ones
TAGS = ["attack.t1499", "attack.t1499.002"]
# The packed counter step of a request, by its (no session, no referrer, asset, new device, failed)
# signs: built once, so counting a request is one addition per key.
_STEPS = {signs: increment(signs) for signs in itertools.product((False, True), repeat=5)}


class FloodDetector:
    """Event-time flood detection with bounded state; Trainable from baseline traffic."""

    name = "flood"
    datasets = frozenset({"mlm.http"})  # the engine skips the other datasets (_track ignores them)

    def __init__(self, baseline: Baseline | None = None) -> None:
        self.baseline = baseline or Baseline()
        self._reset()

    def _reset(self) -> None:
        self.ips = KeyTable(MAX_IPS)
        self.networks = KeyTable(MAX_NETWORKS)
        self.paths = KeyTable(MAX_PATHS)
        self.services = KeyTable(64)
        self._learning = False
        if not hasattr(self, "devices"):  # returning devices survive fitting: baseline visitors return
            self.devices: dict[str, None] = {}

    # -- Trainable -------------------------------------------------------------------------
    def observe_baseline(self, event: Event) -> None:
        self._learning = True
        self._track(event)

    def fit_baseline(self) -> None:
        self.baseline.fit()
        self._reset()

    def save(self, directory: Path) -> None:
        self.baseline.save(directory)

    def load(self, directory: Path) -> bool:
        return self.baseline.load(directory)

    # -- detection -------------------------------------------------------------------------
    def process(self, event: Event) -> list[Alert]:
        self._learning = False
        return self._track(event)

    def _track(self, event: Event) -> list[Alert]:
        flat = event.flat
        if flat.get("event.dataset") != "mlm.http":
            return []
        req = request_of(flat)
        service = str(flat.get("service.name") or "unknown")
        alerts: list[Alert] = []
        ip_state, net_state, path_state, svc_state = self._touch_keys(event, req, service, alerts)
        step = _STEPS[req.no_session, req.no_referrer, req.asset, self._new_device(req.device), req.failed]
        # Busiest-source counts are this bucket's counts of the event's IP and path: an upper bound
        # of one source's share, enough to see when one IP or one path carries a spike.
        path_count = path_state.total + 1
        event_id = event.id
        ip_state.count(step, event_id, 0, path_count)
        ip_state.see_client(req.client)
        ip_count = ip_state.total
        net_state.count(step, event_id, ip_count, path_count)
        path_state.count(step, event_id, ip_count, path_count)
        svc_state.count(step, event_id, ip_count, path_count)
        if not self._learning and (ip_count in CHECKPOINTS or net_state.total in CHECKPOINTS
                                   or path_count in CHECKPOINTS or svc_state.total in CHECKPOINTS):
            alerts += self._checkpoints(event, req, service, (ip_state, net_state, path_state, svc_state))
        return alerts

    def _touch_keys(self, event: Event, req: Request, service: str,
                    alerts: list[Alert]) -> tuple[KeyState, KeyState, KeyState, KeyState]:
        """The four keys' states in the event's bucket; a key that rolls over is judged first (into
        `alerts`), before this event opens its new bucket. KeyTable.touch is inlined for the common
        case, a known key still in its open bucket."""
        bucket = int(event.ts // BUCKET_SECONDS)
        ip_state = self.ips.keys.get(req.ip)
        if ip_state is None or bucket > ip_state.bucket:
            ip_state, rolled = self.ips.touch(req.ip, bucket)
            if rolled:
                alerts += self._check_ip(event, req, ip_state)
        net_state = self.networks.keys.get(req.network)
        if net_state is None or bucket > net_state.bucket:
            net_state, rolled = self.networks.touch(req.network, bucket)
            if rolled:
                alerts += self._check_network(event, req, net_state)
        path_state = self.paths.keys.get(req.path)
        if path_state is None or bucket > path_state.bucket:
            path_state, rolled = self.paths.touch(req.path, bucket)
            if rolled:
                alerts += self._check_path(event, req, service, path_state)
        svc_state = self.services.keys.get(service)
        if svc_state is None or bucket > svc_state.bucket:
            svc_state, rolled = self.services.touch(service, bucket)
            if rolled:
                alerts += self._check_service(event, service, svc_state)
                if bucket % SWEEP_BUCKETS == 0:
                    for table in (self.ips, self.networks, self.paths):
                        table.sweep(bucket)
        return ip_state, net_state, path_state, svc_state

    def _new_device(self, device: str | None) -> bool:
        """True for a request without a device id or with one never seen before (bounded memory)."""
        if device is None:
            return True
        if device in self.devices:
            return False
        self.devices[device] = None
        if len(self.devices) > MAX_DEVICES:
            del self.devices[next(iter(self.devices))]
        return True

    def _checkpoints(self, event: Event, req: Request, service: str,
                     states: tuple[KeyState, KeyState, KeyState, KeyState]) -> list[Alert]:
        """Judge keys whose open bucket just reached a checkpoint count (bursts inside one bucket)."""
        ip, net, path, svc = states
        alerts: list[Alert] = []
        if ip.total in CHECKPOINTS:
            alerts += self._check_ip(event, req, ip, True)
        if net.total in CHECKPOINTS:
            alerts += self._check_network(event, req, net, True)
        if path.total in CHECKPOINTS:
            alerts += self._check_path(event, req, service, path, True)
        if svc.total in CHECKPOINTS:
            alerts += self._check_service(event, service, svc, True)
        return alerts

    def _window(self, kind: str, key: str, state: KeyState, ts: float, current: bool,
                threshold: float) -> WindowStats | None:
        """The window when it is fast enough to judge (all of them while learning), else None."""
        if self._learning:
            stats = state.window(current)
            if stats.total:
                self.baseline.record(kind, key, stats.rate, ts)
            return None
        # Cheap bound first: most keys (one visitor's IP) are nowhere near any threshold.
        if state.recent_total(current) < threshold * WINDOW_BUCKETS * BUCKET_SECONDS:
            return None
        return state.window(current)

    def _check_ip(self, event: Event, req: Request, state: KeyState, current: bool = False) -> list[Alert]:
        threshold = self.baseline.threshold("ip", req.ip, event.ts)
        stats = self._window("ip", req.ip, state, event.ts, current, threshold)
        if stats is None or stats.rate < threshold:
            return []
        if stats.flood_score() < FLOOD_SCORE_MIN and stats.rate / stats.clients < CLIENT_RATE_MAX:
            return []  # many real clients behind one address: an office or carrier NAT
        return self._alert(event, state, "flood.ip", "HTTP flood from one address", "high", 75,
                           "ip", req.ip, stats, f"{req.ip} sent {stats.rate:.0f} req/s")

    def _check_network(self, event: Event, req: Request, state: KeyState,
                       current: bool = False) -> list[Alert]:
        threshold = self.baseline.threshold("network", req.network, event.ts)
        stats = self._window("network", req.network, state, event.ts, current, threshold)
        if stats is None or stats.rate < threshold:
            return []
        if stats.flood_score() < FLOOD_SCORE_MIN or stats.dominated(DOMINANT_SHARE):
            return []
        return self._alert(event, state, "flood.network", "HTTP flood from one network", "high", 75,
                           "ip", req.network, stats, f"network {req.network} sent {stats.rate:.0f} req/s")

    def _check_path(self, event: Event, req: Request, service: str, state: KeyState,
                    current: bool = False) -> list[Alert]:
        threshold = self.baseline.threshold("path", req.path, event.ts, req.login)
        stats = self._window("path", req.path, state, event.ts, current, threshold)
        if stats is None or stats.rate < threshold:
            return []
        floods = stats.flood_score(page_key=True) >= FLOOD_SCORE_MIN or (
            req.login and stats.ratio(FAILED) >= LOGIN_FAIL_MIN)
        if not floods or stats.dominated(DOMINANT_SHARE):
            return []
        kind = "login flood" if req.login else "request flood"
        rule = "flood.login" if req.login else "flood.path"
        tags = ["attack.t1110"] if req.login else []
        return self._alert(event, state, rule, f"HTTP {kind} on one endpoint", "high", 80, "service", service,
                           stats, f"{req.path} on {service} received {stats.rate:.0f} req/s", tags)

    def _check_service(self, event: Event, service: str, state: KeyState,
                       current: bool = False) -> list[Alert]:
        threshold = self.baseline.threshold("service", service, event.ts)
        stats = self._window("service", service, state, event.ts, current, threshold)
        if stats is None or stats.rate < threshold:
            return []
        if stats.flood_score() < FLOOD_SCORE_MIN or stats.dominated(DOMINANT_SHARE):
            return []  # a flash crowd: fast, but made of sessions, assets and referrers
        return self._alert(event, state, "flood.service", "Distributed HTTP flood", "critical", 85,
                           "service", service, stats, f"{service} received {stats.rate:.0f} req/s",
                           ["attack.t1498"])

    def _alert(self, event: Event, state: KeyState, rule: str, name: str, severity: str, risk: int,
               entity_type: str, entity: str, stats: WindowStats, what: str,
               tags: list[str] | None = None) -> list[Alert]:
        if event.ts - state.alerted_at < SUPPRESS_SECONDS:
            return []
        state.alerted_at = event.ts
        return [Alert(
            rule_id=rule, rule_name=name, category="traffic_flood", severity=severity, risk_score=risk,
            entity_type=entity_type, entity_value=entity, timestamp=event.timestamp,
            event_ids=state.evidence() or [event.id], tags=TAGS + (tags or []),
            summary=(f"{what} over {stats.seconds:.0f} s, {stats.ratio(NO_SESSION):.0%} of them without "
                     f"session or device cookie (flood score {stats.flood_score():.2f})."),
            extra={"flood": {"rate": round(stats.rate, 2), "requests": stats.total,
                             "score": round(stats.flood_score(), 3), "clients": stats.clients,
                             "no_session_ratio": round(stats.ratio(NO_SESSION), 3),
                             "fail_ratio": round(stats.ratio(FAILED), 3)}},
        )]

