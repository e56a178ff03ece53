"""Obfuscations and encodings that real attackers and scanners put on payloads (for the corpus)."""

from __future__ import annotations

import random
import re
from urllib.parse import quote, quote_plus

_SQL_WORDS = re.compile(r"\b(union|select|from|where|and|or|sleep|order|by|group|having|null|all|"
                        r"information_schema|concat|waitfor|delay)\b", re.IGNORECASE)


def random_case(rng: random.Random, text: str) -> str:
    """rAnDoM case, the oldest filter bypass."""
    return "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in text)


def obfuscate_sql(rng: random.Random, body: str) -> str:
    """Case tricks, comment or control-character whitespace, MySQL version comments."""
    roll = rng.random()
    if roll < 0.25:
        body = _SQL_WORDS.sub(lambda m: random_case(rng, m.group(0)), body)
    elif roll < 0.4:
        body = body.replace(" ", rng.choice(["/**/", "/*x*/", "\t", "\n", "\x0b", "  "]))
    elif roll < 0.5:
        body = re.sub(r"\b(UNION|SELECT)\b", lambda m: f"/*!50000{m.group(0)}*/", body)
    elif roll < 0.6:
        body = body.lower()
    return body


def _entities(rng: random.Random, text: str) -> str:
    """HTML-entity-encode the characters that matter (decimal, hex, named; padded or not)."""
    out = []
    for ch in text:
        if ch in "<>\"'():/=" and rng.random() < 0.7:
            style = rng.randrange(3)
            out.append(f"&#{ord(ch)};" if style == 0 else f"&#x{ord(ch):x};" if style == 1
                       else f"&#{ord(ch):07d};")
        else:
            out.append(ch)
    return "".join(out)


def _fullwidth(text: str) -> str:
    """ASCII punctuation and letters to their fullwidth forms (NFKC folds them back)."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" and c not in "%&=" else c for c in text)


def _percent_all(text: str) -> str:
    return "".join(f"%{b:02X}" for b in text.encode())


def encode_query_value(rng: random.Random, payload: str, cls: str) -> str:
    """The payload as it would sit, raw, in a query-string value."""
    roll = rng.random()
    if roll < 0.45:
        return quote_plus(payload, safe="")
    if roll < 0.6:
        return quote(payload, safe="/()'\"<>:;,*!$")  # lazily encoded, as many tools send
    if roll < 0.7:
        return quote(quote(payload, safe=""), safe="")  # double encoding
    if roll < 0.78:
        return _percent_all(payload)
    if roll < 0.86 and cls in ("xss", "ssti", "traversal", "command"):
        return quote_plus(_fullwidth(payload) if rng.random() < 0.5 else _entities(rng, payload), safe="")
    if roll < 0.93 and cls == "xss":
        return quote_plus(_entities(rng, payload), safe="")
    mixed = "".join(f"%{ord(c):02x}" if not c.isalnum() and c != "%" and rng.random() < 0.5 and ord(c) < 128
                    else c
                    for c in payload)
    return quote(mixed, safe="%/()'\"<>:;,*!$=")
