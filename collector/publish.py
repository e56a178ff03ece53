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
        size = len(item.line) + 1
        chunks = groups.get(key)
        if chunks is None:
            groups[key] = [[item.line]]
            sizes[key] = size
        elif sizes[key] + size - 1 > MAX_MESSAGE_BYTES:
            chunks.append([item.line])
            sizes[key] = size
        else:
            chunks[-1].append(item.line)
            sizes[key] += size
    keys: list[bytes | None] = []
    values: list[bytes] = []
    for key, chunks in groups.items():
        for chunk in chunks:
            keys.append(key)
            values.append(b"\n".join(chunk))
    return keys, values
