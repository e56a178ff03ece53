"""Request bodies: content types, bounded gzip decompression, and splitting into numbered records."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Any

import orjson

NDJSON_TYPES = frozenset({
    "", "application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines",
    "application/jsonlines", "text/plain",
})
JSON_TYPES = frozenset({"application/json"})
GZIP_ENCODINGS = frozenset({"gzip", "x-gzip"})
PLAIN_ENCODINGS = frozenset({"", "identity"})


class BodyError(Exception):
    """The request as a whole is refused: HTTP status and a reason for the client."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def media_type(header: str | None) -> str:
    """The bare media type of a Content-Type header, lower-cased."""
    return (header or "").split(";", 1)[0].strip().lower()


def check_headers(content_type: str | None, content_encoding: str | None) -> tuple[str, bool]:
    """(media type, gzipped?) or 415 for what this endpoint does not speak."""
    media = media_type(content_type)
    if media not in NDJSON_TYPES and media not in JSON_TYPES:
        raise BodyError(415, "unsupported content type: send application/x-ndjson or application/json")
    encoding = (content_encoding or "").strip().lower()
    if encoding not in GZIP_ENCODINGS and encoding not in PLAIN_ENCODINGS:
        raise BodyError(415, "unsupported content encoding: send gzip or no encoding")
    return media, encoding in GZIP_ENCODINGS


def gunzip(data: bytes, limit: int) -> bytes:
    """Decompress every gzip member, refusing output beyond `limit` bytes (gzip bombs)."""
    out = bytearray()
    while data:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            out += inflater.decompress(data, limit - len(out) + 1)
        except zlib.error:
            raise BodyError(400, "body is not valid gzip") from None
        if len(out) > limit:
            raise BodyError(413, f"decompressed body larger than {limit} bytes")
        if not inflater.eof:
            raise BodyError(400, "gzip body is truncated")
        data = inflater.unused_data
    return bytes(out)


def records(body: bytes, media: str, max_lines: int) -> Iterator[tuple[int, Any]]:
    """Numbered records (from 1): raw NDJSON lines, or the decoded items of a JSON array."""
    body = body.removeprefix(b"\xef\xbb\xbf")  # a UTF-8 byte-order mark some shippers write
    head = body.lstrip()[:1]
    if not head:
        raise BodyError(400, "no events in body: send one JSON event per line")
    if media in JSON_TYPES and head == b"[":
        return _array_items(body, max_lines)
    if media in JSON_TYPES and head == b"{":
        return iter([(1, body)])
    if body.count(b"\n") >= max_lines:
        raise BodyError(413, f"more than {max_lines} lines in one request")
    return _lines(body)


def _array_items(body: bytes, max_lines: int) -> Iterator[tuple[int, Any]]:
    try:
        items = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BodyError(400, f"body is not valid JSON (or not UTF-8): {exc}") from None
    if len(items) > max_lines:
        raise BodyError(413, f"more than {max_lines} events in one request")
    return enumerate(items, start=1)


def _lines(body: bytes) -> Iterator[tuple[int, bytes]]:
    """Non-blank lines with their 1-based numbers; \\r\\n endings tolerated.

    One C-level split rather than a find/slice per line: the body is bounded (max_body_bytes),
    so holding its lines at once costs at most its size again.
    """
    for number, line in enumerate(body.split(b"\n"), start=1):
        line = line.strip()
        if line:
            yield number, line
