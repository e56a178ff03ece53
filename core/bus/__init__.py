"""Message bus: the interface and a factory choosing a backend by URL."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from core.bus.base import ALERTS_TOPIC, EVENTS_TOPIC, Bus, BusError, BusFull, Consumer, Message, Producer

__all__ = ["ALERTS_TOPIC", "EVENTS_TOPIC", "Bus", "BusError", "BusFull", "Consumer", "Message", "Producer", "open_bus"]


# Kafka client options a bus URL may carry (a secured cluster); anything else is refused.
_KAFKA_OPTIONS = {
    "security_protocol": str, "sasl_mechanism": str, "sasl_plain_username": str,
    "sasl_plain_password": str, "ssl_cafile": str, "ssl_certfile": str, "ssl_keyfile": str,
    "client_id": str, "partitions": int,
}


def open_bus(url: str) -> Bus:
    """`memory://` (embedded, in-process) or `kafka://host:9092[,host2:9092][?option=value&...]`.

    Kafka options: security_protocol, sasl_mechanism, sasl_plain_username, sasl_plain_password,
    ssl_cafile, ssl_certfile, ssl_keyfile, client_id, partitions (for topics the bus creates).
    """
    if url.startswith("memory://"):
        from core.bus.memory import MemoryBus

        return MemoryBus()
    if url.startswith("kafka://"):
        from core.bus.kafka import KafkaBus

        bootstrap, _, query = url.removeprefix("kafka://").partition("?")
        options: dict[str, Any] = {}
        for key, values in parse_qs(query).items():
            if key not in _KAFKA_OPTIONS:
                raise ValueError(f"unknown Kafka bus option: {key[:40]!r}")
            options[key] = _KAFKA_OPTIONS[key](values[-1])
        return KafkaBus(bootstrap, **options)
    raise ValueError(f"unknown bus URL scheme: {url.split(':', 1)[0]!r}")
