"""Elasticsearch backend of the store (distributed deployment), with the official 8.x client.

Layout in core.store.elastic_mapping; bulk semantics in core.store.elastic_bulk; queries in
core.store.elastic_query. Retention (only when `retention_days` is set, e.g. by
`?retention_days=30` in the URL): an ILM policy deletes daily indices that old where ILM exists;
without ILM (the noida stand-in) writes drop expired indices themselves, at most once an hour,
through `enforce_retention`.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Sequence
from urllib.parse import parse_qs, unquote, urlsplit

import orjson
from elasticsearch import ApiError, Elasticsearch

from core.alert import Alert
from core.event import Event, format_timestamp, parse_timestamp
from core.schema import FIELDS
from core.store import elastic_mapping as layout
from core.store.base import MAX_INTERVAL_SECONDS, EventQuery, Page, WriteResult
from core.store.elastic_bulk import BulkPolicy, Doc, StoreUnavailable, bulk_create
from core.store.elastic_query import bucket_time, build_query, decode_cursor, encode_cursor, sort_spec
from core.store.text import ALERT_TEXT_FIELDS, EVENT_TEXT_FIELDS

__all__ = ["ElasticStore", "StoreUnavailable"]
log = logging.getLogger(__name__)
_MAX_PAGE = 1000
RETENTION_CHECK_SECONDS = 3600.0


class ElasticStore:
    """Events and alerts in Elasticsearch. URL: `http(s)://[user:password@]host:9200[?prefix=..]`."""

    def __init__(self, url: str, *, prefix: str | None = None, retention_days: int | None = None,
                 client: Elasticsearch | None = None, bulk: BulkPolicy | None = None,
                 tail_settle_seconds: float = 1.0, clock: Callable[[], float] = time.time,
                 ca_certs: str | None = None) -> None:
        parts = urlsplit(url)
        options = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        self.prefix = prefix or options.get("prefix", "mlm-siem")
        days = retention_days if retention_days is not None else options.get("retention_days")
        self.retention_days = int(days) if days is not None else None
        self.bulk = bulk or BulkPolicy()
        self.tail_settle_seconds = tail_settle_seconds
        self.clock = clock
        self.ilm_enabled = False
        self._client = client or _client(parts, ca_certs or options.get("ca_certs"))
        self._ready = False
        self._lock = threading.Lock()
        self._last_seq = 0
        self._last_sweep = float("-inf")

    @property
    def alerts_index(self) -> str:
        return f"{self.prefix}-alerts"

    @property
    def quarantine_index(self) -> str:
        return f"{self.prefix}-quarantine"

    @property
    def events_pattern(self) -> str:
        return f"{self.prefix}-events-*"

    # -- setup --------------------------------------------------------------------------------

    def setup(self) -> None:
        """Install the ILM policy (with retention, where supported) and the index templates; idempotent."""
        policy = f"{self.prefix}-events"
        if self.retention_days is not None:
            try:
                self._client.ilm.put_lifecycle(name=policy, policy=layout.ilm_policy(self.retention_days))
                self.ilm_enabled = True
            except ApiError as exc:
                # Real Elasticsearch has ILM; the noida stand-in answers 400 "no handler".
                log.warning("ILM unavailable (%s): writes sweep expired indices", exc.meta.status)
        c = self._client.indices
        c.put_index_template(name=f"{self.prefix}-events",
                             **layout.events_template(self.prefix, policy if self.ilm_enabled else None))
        c.put_index_template(name=f"{self.prefix}-alerts", **layout.alerts_template(self.prefix))
        c.put_index_template(name=f"{self.prefix}-quarantine", **layout.quarantine_template(self.prefix))
        self._ready = True

    def _ensure(self) -> None:
        if not self._ready:
            with self._lock:
                if not self._ready:
                    self.setup()

    # -- writes -------------------------------------------------------------------------------

    def write_events(self, events: Sequence[Event]) -> WriteResult:
        """Bulk-create events into their daily index; rejected ones go to the quarantine index."""
        if not events:
            return WriteResult()
        self._ensure()
        # The event's JSON bytes go out as they are (sealed by the collector): no parse, no re-dump.
        docs = [Doc(layout.events_index(self.prefix, e.ts), e.id, e.to_json()) for e in events]
        result, rejected = bulk_create(self._client, docs, self.bulk)
        self._quarantine("event", rejected, dict(result.rejected))
        self._sweep_if_due()
        return result

    def _sweep_if_due(self) -> None:
        """Without ILM, writes drop expired daily indices themselves, at most once an hour."""
        now = self.clock()
        if (self.retention_days is not None and not self.ilm_enabled
                and now - self._last_sweep >= RETENTION_CHECK_SECONDS):
            self._last_sweep = now
            try:
                self.enforce_retention(datetime.fromtimestamp(now, tz=timezone.utc))
            except ApiError as exc:  # retention must never fail a write
                log.warning("retention sweep failed: %s", exc.meta.status)

    def write_alerts(self, alerts: Sequence[Alert]) -> WriteResult:
        """Bulk-create alerts, each stamped with a write sequence for `alerts_after` tailing."""
        if not alerts:
            return WriteResult()
        self._ensure()
        docs = []
        for alert in alerts:
            source = alert.to_dict()
            source[layout.TAIL_FIELD] = {"seq": self._next_seq()}
            docs.append(Doc(self.alerts_index, alert.id, source))
        policy = BulkPolicy(self.bulk.attempts, self.bulk.backoff, self.bulk.max_backoff, "wait_for", self.bulk.sleep)
        result, rejected = bulk_create(self._client, docs, policy)
        self._quarantine("alert", rejected, dict(result.rejected))
        return result

    def _next_seq(self) -> int:
        """Write time in ns, strictly increasing within this process."""
        with self._lock:
            self._last_seq = max(self._last_seq + 1, int(self.clock() * 1e9))
            return self._last_seq

    def _quarantine(self, kind: str, docs: list[Doc], reasons: dict[str, str]) -> None:
        """Keep refused documents with their reason; a failure here is logged, never raised."""
        if not docs:
            return
        now = format_timestamp(datetime.fromtimestamp(self.clock(), tz=timezone.utc))
        body: list[dict[str, Any]] = []
        for doc in docs:
            body.append({"index": {"_index": self.quarantine_index}})
            body.append({"@timestamp": now, "kind": kind, "id": doc.id, "reason": reasons.get(doc.id, ""),
                         "original": _as_object(doc.source)})
        try:
            response = self._client.bulk(operations=body, refresh=self.bulk.refresh)
            if response.get("errors"):
                log.error("quarantine refused %d %s documents", len(docs), kind)
        except Exception as exc:  # noqa: BLE001 - the write result already reports the rejection
            log.error("quarantine write failed: %s", type(exc).__name__)

    def delete_before(self, moment: datetime) -> int:
        """Retention: drop whole daily indices before `moment`'s day, then older events in it."""
        self._ensure()
        deleted = 0
        day_start = moment.astimezone(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
        remaining = []
        for name in self._client.indices.get(index=self.events_pattern, allow_no_indices=True):
            day = layout.index_day(self.prefix, name)
            if day is not None and day < day_start:
                self._client.indices.refresh(index=name)  # count what is about to go, written or not
                deleted += self._client.count(index=name)["count"]
                self._client.indices.delete(index=name)
            elif day is None or day == day_start:
                remaining.append(name)
        if remaining:  # only the day `moment` falls in can hold events on both sides of it
            response = self._client.delete_by_query(
                index=",".join(remaining), refresh=True, conflicts="proceed",
                query={"range": {"@timestamp": {"lt": format_timestamp(moment)}}})
            deleted += int(response.get("deleted", 0))
        return deleted

    def enforce_retention(self, now: datetime) -> int:
        """Drop events older than `retention_days` before `now` (what ILM does where it exists)."""
        if self.retention_days is None:
            return 0
        return self.delete_before(now - timedelta(days=self.retention_days))

    # -- reads --------------------------------------------------------------------------------

    def get_events(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        """Stored events by id, oldest first; unknown ids are left out."""
        docs: list[dict[str, Any]] = []
        for start in range(0, len(ids), _MAX_PAGE):
            chunk = list(ids[start:start + _MAX_PAGE])
            response = self._search(self.events_pattern, query={"ids": {"values": chunk}}, size=len(chunk),
                                    sort=[{"@timestamp": "asc"}, {"event.id": "asc"}])
            docs += [hit["_source"] for hit in response["hits"]["hits"]]
        if len(ids) > _MAX_PAGE:  # chunks are each sorted; merge them in the store's order
            docs.sort(key=lambda d: (parse_timestamp(d["@timestamp"]), d["event"]["id"]))
        return docs

    def search_events(self, query: EventQuery) -> Page:
        return self._page(self.events_pattern, query, EVENT_TEXT_FIELDS, "event.id")

    def search_alerts(self, query: EventQuery) -> Page:
        page = self._page(self.alerts_index, query, ALERT_TEXT_FIELDS, "id")
        for item in page.items:
            item.pop(layout.TAIL_FIELD, None)
        return page

    def count_events(self, query: EventQuery) -> int:
        self._ensure()
        body = build_query(query, EVENT_TEXT_FIELDS)
        return int(self._client.count(index=self.events_pattern, query=body, allow_no_indices=True)["count"])

    def histogram(self, query: EventQuery, interval_seconds: int) -> list[tuple[str, int]]:
        """Event counts per bucket of `interval_seconds` (aligned to the epoch), oldest first."""
        if not 1 <= interval_seconds <= MAX_INTERVAL_SECONDS:
            raise ValueError(f"interval_seconds must be between 1 and {MAX_INTERVAL_SECONDS}")
        aggs = {"h": {"date_histogram": {"field": "@timestamp", "fixed_interval": f"{interval_seconds}s",
                                         "min_doc_count": 1}}}
        response = self._search(self.events_pattern, query=build_query(query, EVENT_TEXT_FIELDS), size=0, aggs=aggs)
        buckets = response.get("aggregations", {}).get("h", {}).get("buckets", [])
        return [(bucket_time(b["key"]), b["doc_count"]) for b in buckets if b["doc_count"]]

    def top_values(self, query: EventQuery, field_name: str, size: int = 10) -> list[tuple[Any, int]]:
        """The most frequent values of a field (list fields count each element), ties by value."""
        size = max(1, min(size, _MAX_PAGE))
        aggs = {"t": {"terms": {"field": field_name, "size": size,
                                "order": [{"_count": "desc"}, {"_key": "asc"}]}}}
        response = self._search(self.events_pattern, query=build_query(query, EVENT_TEXT_FIELDS), size=0, aggs=aggs)
        kind = FIELDS.get(field_name)
        buckets = response.get("aggregations", {}).get("t", {}).get("buckets", [])
        return [(bool(b["key"]) if kind == "bool" else b["key"], b["doc_count"]) for b in buckets]

    def alerts_after(self, cursor: int, limit: int = 500) -> tuple[list[Alert], int]:
        """Alerts written after `cursor` (a write sequence), oldest first.

        Alerts younger than `tail_settle_seconds` are held back: a concurrent writer's alert
        with an earlier sequence may not be searchable yet, and must not be skipped.
        """
        horizon = int((self.clock() - self.tail_settle_seconds) * 1e9)
        seq_field = f"{layout.TAIL_FIELD}.seq"
        response = self._search(self.alerts_index, size=max(1, min(limit, _MAX_PAGE)),
                                query={"range": {seq_field: {"gt": cursor, "lte": horizon}}},
                                sort=[{seq_field: "asc"}])
        hits = response["hits"]["hits"]
        if not hits:
            return [], cursor
        alerts = []
        for hit in hits:
            source = dict(hit["_source"])
            source.pop(layout.TAIL_FIELD, None)
            alerts.append(Alert.from_dict(source))
        return alerts, int(hits[-1]["sort"][0])

    def close(self) -> None:
        self._client.close()

    # -- helpers ------------------------------------------------------------------------------

    def _search(self, index: str, **kwargs: Any) -> dict[str, Any]:
        self._ensure()
        return self._client.search(index=index, allow_no_indices=True, ignore_unavailable=True, **kwargs).body

    def _page(self, index: str, query: EventQuery, text_fields: tuple[str, ...], id_field: str) -> Page:
        """One page by @timestamp then id; fetch one more than asked to know whether more exist."""
        size = max(1, min(query.size, _MAX_PAGE))
        extra: dict[str, Any] = {}
        if query.cursor:
            extra["search_after"] = decode_cursor(query.cursor)
        response = self._search(index, query=build_query(query, text_fields), size=size + 1,
                                sort=sort_spec(query, id_field), **extra)
        hits = response["hits"]["hits"][:size + 1]
        more = len(hits) > size
        hits = hits[:size]
        cursor = encode_cursor(hits[-1]["sort"]) if more and hits else None
        return Page(items=[hit["_source"] for hit in hits], next_cursor=cursor)


def _client(parts: Any, ca_certs: str | None) -> Elasticsearch:
    """A client for the URL; credentials in the URL become basic auth (never logged)."""
    host = f"{parts.scheme}://{parts.hostname}:{parts.port or 9200}"
    options: dict[str, Any] = {"request_timeout": 30, "retry_on_timeout": True, "max_retries": 2}
    if parts.username:
        options["basic_auth"] = (unquote(parts.username), unquote(parts.password or ""))
    if ca_certs:
        options["ca_certs"] = ca_certs
    return Elasticsearch(host, **options)


def _as_object(source: dict[str, Any] | bytes) -> dict[str, Any]:
    """A document's source as an object (events travel as JSON bytes; the quarantine nests them)."""
    return orjson.loads(source) if isinstance(source, bytes) else source
