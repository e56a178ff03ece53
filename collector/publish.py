"""Messages for the events topic: keyed by entity, several NDJSON lines per message."""

from __future__ import annotations

from collections.abc import Sequence

from collector.stages import Accepted

# Kafka's default message limit is 1 MB; staying well under it leaves room for headers and batching.
MAX_MESSAGE_BYTES = 256 * 1024


def entity_key(item: Accepted) -> bytes | None:
    """`user.id`, else `source.ip`: every event of one entity lands on one partition."""
    flat = item.event.flat
    key = flat.get("user.id") or flat.get("source.ip")
    return str(key).encode("utf-8", "replace") if key else None


def group_messages(items: Sequence[Accepted]) -> tuple[list[bytes | None], list[bytes]]:
    """Keys and values: each entity's lines in order, joined by newlines, split by size."""
    groups: dict[bytes | None, list[list[bytes]]] = {}
    sizes: dict[bytes | None, int] = {}
    for item in items:
        key = entity_key(item)
        chunks = groups.setdefault(key, [[]])
        if chunks[-1] and sizes[key] + len(item.line) > MAX_MESSAGE_BYTES:
            chunks.append([])
            sizes[key] = 0
        chunks[-1].append(item.line)
        sizes[key] = sizes.get(key, 0) + len(item.line) + 1
    keys: list[bytes | None] = []
    values: list[bytes] = []
    for key, chunks in groups.items():
        for chunk in chunks:
            keys.append(key)
            values.append(b"\n".join(chunk))
    return keys, values
