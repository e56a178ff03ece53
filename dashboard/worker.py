"""The background task: tail new alerts from the store, group them into incidents, notify and respond."""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from core.alert import Alert
from dashboard.context import AppContext
from dashboard.models import KeyValue

log = logging.getLogger(__name__)
CURSOR_KEY = "alerts_cursor"
BATCH = 500


class AlertWorker:
    """Polls `alerts_after(cursor)`; the cursor is saved after each batch so restarts resume."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_purge: datetime | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="dashboard-alerts", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                busy = self.run_once() >= BATCH
            except Exception:
                log.exception("alert worker batch failed")
                busy = False
            if not busy:
                self._stop.wait(self.ctx.settings.poll_interval_seconds)

    def run_once(self) -> int:
        """Process one batch of new alerts; returns how many were read."""
        cursor = self._load_cursor()
        alerts, new_cursor = self.ctx.store.alerts_after(cursor, BATCH)
        if alerts:
            self.handle(alerts)
        self.after_batch()
        if new_cursor != cursor:
            self._save_cursor(new_cursor)
        return len(alerts)

    def drain(self) -> int:
        """Process every pending alert (tests, replays)."""
        total = 0
        while (n := self.run_once()) > 0:
            total += n
        return total

    def handle(self, alerts: list[Alert]) -> None:
        """Group into incidents, then drive notifications and responses for what changed."""
        from dashboard.incidents.grouping import group_alerts
        from dashboard.notify.service import notify_alerts
        from dashboard.response.service import apply_policy

        touched = group_alerts(self.ctx, alerts)
        # Grouping is committed: a failing channel or MLM app must not hold the cursor back.
        for step, run in (
            ("notify", lambda: notify_alerts(self.ctx, [g.alert for g in touched if g.incident_id])),
            ("response", lambda: apply_policy(self.ctx, touched)),
        ):
            try:
                run()
            except Exception:
                log.exception("alert worker %s step failed for %d alerts", step, len(touched))

    def after_batch(self) -> None:
        """Periodic duties: flush throttled notification digests; once a minute, drop dead sessions."""
        from dashboard.analysts.service import purge_sessions
        from dashboard.notify.service import flush_due

        flush_due(self.ctx)
        now = self.ctx.clock()
        if self._last_purge is None or (now - self._last_purge).total_seconds() >= 60:
            self._last_purge = now
            purge_sessions(self.ctx)

    def _load_cursor(self) -> int:
        with self.ctx.db.session() as db:
            row = db.get(KeyValue, CURSOR_KEY)
            return int(row.value) if row else 0

    def _save_cursor(self, cursor: int) -> None:
        with self.ctx.db.session() as db:
            row = db.get(KeyValue, CURSOR_KEY)
            if row is None:
                db.add(KeyValue(key=CURSOR_KEY, value=str(cursor)))
            else:
                row.value = str(cursor)
