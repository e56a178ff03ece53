"""Message bus: the interface and a factory choosing a backend by URL."""

from __future__ import annotations

from core.bus.base import ALERTS_TOPIC, EVENTS_TOPIC, Bus, BusError, BusFull, Consumer, Message, Producer

__all__ = ["ALERTS_TOPIC", "EVENTS_TOPIC", "Bus", "BusError", "BusFull", "Consumer", "Message", "Producer", "open_bus"]


def open_bus(url: str) -> Bus:
    """`memory://` (embedded, in-process) or `kafka://host:9092[,host2:9092]` (distributed)."""
    if url.startswith("memory://"):
        from core.bus.memory import MemoryBus

        return MemoryBus()
    if url.startswith("kafka://"):
        from core.bus.kafka import KafkaBus

        return KafkaBus(url.removeprefix("kafka://"))
    raise ValueError(f"unknown bus URL scheme: {url.split(':', 1)[0]!r}")
