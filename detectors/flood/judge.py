"""Judging one key's window: is it fast enough, and does it look like a flood or like a crowd?

A rate above its threshold is necessary, never sufficient: a flood also looks like one (requests
without sessions or device ids, referrers, asset fetches or returning devices, all on one path;
failing logins; one client doing the work of many). A promo flash crowd is fast too, but made of
real sessions that load pages with their assets.
"""

from __future__ import annotations

from core.alert import Alert
from core.event import Event
from detectors.flood.baseline import Baseline
from detectors.flood.window import (
    BUCKET_SECONDS,
    FAILED,
    LOGIN,
    NO_SESSION,
    SOLO,
    TOP_PATH,
    TOTAL,
    WINDOW_BUCKETS,
    KeyState,
    WindowStats,
)

FLOOD_SCORE_MIN = 0.6  # flash crowds score under 0.25 (sessions, assets); tools and bots near 1
CLIENT_RATE_MAX = 5.0  # req/s per distinct client behind one IP; a NAT of people stays under it
LOGIN_FAIL_MIN = 0.7  # a login flood fails; a crowd of members logging in mostly succeeds
DOMINANT_SHARE = 0.8  # when one IP makes most of a spike, the IP alert tells the story alone
SUPPRESS_SECONDS = 300.0
# A slow flood stays under the 30-s thresholds but far above a person's pace, for minutes: one
# address averaging SLOW_RATE over SUSTAIN_SECONDS while its traffic lacks a visitor's signs or
# fails. People browse at well under 1 req/s with their assets; polite crawlers at under 1 req/s.
SLOW_RATE = 1.5
# Traffic that almost only fails (an enumeration of ids: 404, 403) is a slow flood at half the rate,
# so a scraper spreading its requests over two or three addresses is still seen.
SLOW_FAIL_RATE, SLOW_FAIL_MIN = 0.75, 0.8
SLOW_KEEP_RATE = 0.5  # a 30-s window under this ends the streak (a pause, not jitter)
SUSTAIN_SECONDS = 300.0
# An address whose requests are largely refused login attempts is guessing passwords (one account
# or a combo list), not flooding: the account-takeover family reports it, with the accounts, and a
# second incident from here would split one attack in two. A fifth: a guessing browser fetches the
# form and its assets before each post; floods and scrapers post no logins at all.
GUESSING_SHARE = 0.2
# A key is also judged mid-bucket when its open bucket reaches one of these counts, so a burst
# that starts and stops inside one bucket (wrk for 5 s) alerts too, at a cost of a few checks.
CHECKPOINT_MIN = 64
CHECKPOINTS = frozenset(1 << k for k in range(6, 26))  # 64, 128, ...
TAGS = ["attack.t1499", "attack.t1499.002"]


class Judge:
    """The checks of FloodDetector: each takes a key's state as it rolls over (or at a checkpoint)
    and returns its alert, if any. While learning, windows are recorded into the baseline instead."""

    baseline: Baseline
    _learning: bool

    def _checkpoints(self, event: Event, service: str,
                     states: tuple[KeyState, KeyState, KeyState, KeyState]) -> list[Alert]:
        """Judge keys whose open bucket just reached a checkpoint count (bursts inside one bucket)."""
        ip, net, path, svc = states
        alerts: list[Alert] = []
        if self._learning:
            return alerts
        if ip.total in CHECKPOINTS:
            alerts += self._check_ip(event, ip, True)
        if net is not SOLO and net.total in CHECKPOINTS:  # SOLO: the IP stands for its network
            alerts += self._check_network(event, net, True)
        if path.total in CHECKPOINTS:
            alerts += self._check_path(event, service, path, True)
        if svc.total in CHECKPOINTS:
            alerts += self._check_service(event, svc, True)
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

    def _check_ip(self, event: Event, state: KeyState, current: bool = False) -> list[Alert]:
        ip = state.key
        threshold = self.baseline.threshold("ip", ip, event.ts)
        stats = self._window("ip", ip, state, event.ts, current, threshold)
        if stats is None or stats.rate < threshold:
            return []
        if stats.flood_score() < FLOOD_SCORE_MIN and stats.rate / stats.clients < CLIENT_RATE_MAX:
            return []  # many real clients behind one address: an office or carrier NAT
        return self._alert(event, state, "flood.ip", "HTTP flood from one address", "high", 75,
                           "ip", ip, stats, f"{ip} sent {stats.rate:.0f} req/s")

    def _check_sustained(self, event: Event, state: KeyState) -> list[Alert]:
        """A slow flood from one address (at a rollover): bad traffic, above SLOW_RATE for minutes."""
        if self._learning:
            return []
        stats = state.window()
        bad = stats.flood_score() >= FLOOD_SCORE_MIN or stats.ratio(FAILED) >= SLOW_FAIL_MIN
        if not bad or stats.rate < SLOW_KEEP_RATE:
            state.slow_since = -1.0
            return []
        bucket, total = state.closed[0][0], state.closed[0][1]  # the bucket that just closed
        if state.slow_since < 0:
            state.slow_since, state.slow_requests = bucket * BUCKET_SECONDS, 0
        state.slow_requests += total
        span = (bucket + 1) * BUCKET_SECONDS - state.slow_since
        rate = state.slow_requests / span
        if span < SUSTAIN_SECONDS or rate < (SLOW_FAIL_RATE if stats.ratio(FAILED) >= SLOW_FAIL_MIN else SLOW_RATE):
            return []
        if stats.ratio(LOGIN) >= GUESSING_SHARE:
            return []  # password guessing, the account-takeover family's (the streak goes on)
        ip = state.key
        return self._alert(event, state, "flood.ip_sustained", "Sustained request flood from one address",
                           "medium", 60, "ip", ip, stats,
                           f"{ip} kept up {rate:.1f} req/s for {span / 60:.0f} min, {stats.rate:.1f} req/s")

    def _check_network(self, event: Event, state: KeyState, current: bool = False) -> list[Alert]:
        network = state.key
        threshold = self.baseline.threshold("network", network, event.ts)
        stats = self._window("network", network, state, event.ts, current, threshold)
        if stats is None or stats.rate < threshold:
            return []
        if stats.flood_score() < FLOOD_SCORE_MIN or stats.dominated(DOMINANT_SHARE):
            return []
        return self._alert(event, state, "flood.network", "HTTP flood from one network", "high", 75,
                           "ip", network, stats, f"network {network} sent {stats.rate:.0f} req/s")

    def _check_path(self, event: Event, service: str, state: KeyState, current: bool = False) -> list[Alert]:
        path, login = state.key, state.login
        threshold = self.baseline.threshold("path", path, event.ts, login)
        stats = self._window("path", path, state, event.ts, current, threshold)
        if stats is None or stats.rate < threshold:
            return []
        stats.counts[TOP_PATH] = stats.counts[TOTAL]  # a path is its own busiest path (not kept per request)
        floods = stats.flood_score(page_key=True) >= FLOOD_SCORE_MIN or (
            login and stats.ratio(FAILED) >= LOGIN_FAIL_MIN)
        if not floods or stats.dominated(DOMINANT_SHARE):
            return []
        kind = "login flood" if login else "request flood"
        rule = "flood.login" if login else "flood.path"
        tags = ["attack.t1110"] if login else []
        return self._alert(event, state, rule, f"HTTP {kind} on one endpoint", "high", 80, "service", service,
                           stats, f"{path} on {service} received {stats.rate:.0f} req/s", tags)

    def _check_service(self, event: Event, state: KeyState, current: bool = False) -> list[Alert]:
        service = state.key
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

