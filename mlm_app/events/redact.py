"""Replace secret values in logged request bodies and query strings with `[REDACTED]`.

Everything else stays byte-for-byte raw: injection payloads are exactly what detectors look for.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote_plus

import orjson

from mlm_app.events.emitter import is_secret_name

REDACTED = "[REDACTED]"
MAX_BODY = 4096
_EXTRA_SECRET = re.compile(r"passphrase|iban|routing|cvv|card|ssn|tax_?id|birth|(^|_)(dob|pin)($|_)", re.IGNORECASE)
_JSON_PAIR = re.compile(rb'"([^"\\]{1,64})"\s*:\s*"((?:[^"\\]|\\.)*)"')
_MULTIPART_FIELD = re.compile(rb'name="([^"]{1,64})"\r?\n(?:[^\r\n]+\r?\n)*\r?\n(.*?)(?=\r?\n--)', re.DOTALL)


def secret_field(name: str) -> bool:
    """True for form/JSON/query names whose values must never be logged."""
    return is_secret_name(name) or bool(_EXTRA_SECRET.search(name))


def redact_pairs(raw: str) -> str:
    """Redact values of secret names in `a=1&b=2` text, keeping every other pair as received."""
    out = []
    for pair in raw.split("&"):
        name, sep, _value = pair.partition("=")
        if sep and secret_field(unquote_plus(name)):
            out.append(f"{name}={REDACTED}")
        else:
            out.append(pair)
    return "&".join(out)


def _redact_secret_value(value: Any) -> Any:
    """A secret field's value with every scalar blanked but its shape kept: a legitimate password is
    a string, while `{"$ne": null}` in a password field is a NoSQL injection detectors must still see."""
    if isinstance(value, dict):
        return {k: _redact_secret_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact_secret_value(v) for v in value]
    return value if value is None or isinstance(value, bool) else REDACTED


def _redact_json_value(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _redact_secret_value(v) if secret_field(str(k)) else _redact_json_value(v)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_redact_json_value(v) for v in value]
    return value


def _redact_json(body: bytes) -> bytes:
    try:
        return orjson.dumps(_redact_json_value(orjson.loads(body)))
    except orjson.JSONDecodeError:
        # Broken JSON is still logged (it may be an attack), with secret-looking pairs blanked.
        return _JSON_PAIR.sub(
            lambda m: m.group(0) if not secret_field(m.group(1).decode("latin-1"))
            else b'"' + m.group(1) + b'":"' + REDACTED.encode() + b'"', body)


def _redact_multipart(body: bytes) -> bytes:
    def sub(m: re.Match[bytes]) -> bytes:
        if not secret_field(m.group(1).decode("latin-1")):
            return m.group(0)
        return m.group(0)[: m.start(2) - m.start(0)] + REDACTED.encode()

    return _MULTIPART_FIELD.sub(sub, body)


def redact_body(body: bytes, content_type: str) -> str:
    """The logged form of a request body: secrets redacted, then cut to 4096 bytes, as text."""
    if not body:
        return ""
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        text = redact_pairs(body.decode("utf-8", "replace")).encode()
    elif kind.endswith("json"):
        text = _redact_json(body)
    elif kind.startswith("multipart/"):
        text = _redact_multipart(body)
    else:
        # Unknown type: treat as form-like text so `password=...` still cannot leak.
        text = redact_pairs(body.decode("utf-8", "replace")).encode()
        text = _redact_json(text) if text[:1] in (b"{", b"[") else text
    return text[:MAX_BODY].decode("utf-8", "ignore")


def redact_url(url: str) -> str:
    """A URL (e.g. the Referer) with secret query parameters redacted."""
    rest, hash_sep, fragment = url.partition("#")
    head, sep, query = rest.partition("?")
    return (head + sep + redact_pairs(query) if sep else rest) + hash_sep + fragment
