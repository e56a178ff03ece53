"""Where shipped batches go: the collector's HTTP ingest or a Kafka topic."""

from __future__ import annotations

import gzip
import logging
from typing import Any, Protocol

import httpx
import orjson

from mlm_app.logsafe import printable

log = logging.getLogger(__name__)


class DeliveryError(Exception):
    """The batch was not delivered; keep it and try again later."""


class Transport(Protocol):
    def send(self, lines: list[bytes]) -> None: ...

    def close(self) -> None: ...


class HttpTransport:
    """POST NDJSON (gzip) to `{collector}/v1/events` with the ingest bearer token."""

    def __init__(self, collector_url: str, token: str | None, timeout: float = 5.0) -> None:
        self.url = collector_url.rstrip("/") + "/v1/events"
        headers = {"Content-Type": "application/x-ndjson", "Content-Encoding": "gzip"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.client = httpx.Client(headers=headers, timeout=timeout)

    def send(self, lines: list[bytes]) -> None:
        body = gzip.compress(b"\n".join(lines) + b"\n", compresslevel=5)
        try:
            response = self.client.post(self.url, content=body)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"collector unreachable: {type(exc).__name__}") from exc
        if response.status_code >= 500 or response.status_code in (401, 403, 408, 429):
            # Server trouble or a token problem: the events are fine, keep them for later.
            raise DeliveryError(f"collector answered {response.status_code}")
        if response.status_code >= 400:
            log.error("collector refused a whole batch (%s): %s", response.status_code, printable(response.text))
            return
        rejected = _rejected(response)
        if rejected:
            log.warning("collector rejected %d of %d events, first: %s", len(rejected), len(lines), rejected[0])

    def close(self) -> None:
        self.client.close()


def _rejected(response: httpx.Response) -> list[object]:
    try:
        return list(orjson.loads(response.content).get("rejected") or [])
    except (orjson.JSONDecodeError, AttributeError):
        return []


class KafkaTransport:
    """Produce each batch as one message (NDJSON lines), keyed by the first event's entity."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.bootstrap, self.topic = bootstrap, topic
        self.producer: Any = None  # connected on first send, so a Kafka outage never stops the app

    def send(self, lines: list[bytes]) -> None:
        from kafka import KafkaProducer  # imported lazily: only Kafka deployments need it
        from kafka.errors import KafkaError

        try:
            if self.producer is None:
                self.producer = KafkaProducer(bootstrap_servers=self.bootstrap.split(","), acks="all",
                                              retries=3, linger_ms=20, max_request_size=8 * 1024 * 1024)
            for key, group in _by_entity(lines).items():
                self.producer.send(self.topic, key=key, value=b"\n".join(group))
            self.producer.flush(timeout=10)
        except KafkaError as exc:
            raise DeliveryError(f"kafka: {type(exc).__name__}") from exc

    def close(self) -> None:
        if self.producer is not None:
            self.producer.close(timeout=5)


def _by_entity(lines: list[bytes]) -> dict[bytes, list[bytes]]:
    """Group events by entity key (user.id, else source.ip) so one entity stays on one partition."""
    groups: dict[bytes, list[bytes]] = {}
    for line in lines:
        doc = orjson.loads(line)
        key = (doc.get("user") or {}).get("id") or (doc.get("source") or {}).get("ip") or "-"
        groups.setdefault(str(key).encode(), []).append(line)
    return groups
