"""Free-text search semantics shared by every store backend, so both give the same answers.

A search text is split on whitespace into terms; every term must match (AND). A term matches
when its word tokens appear as a phrase inside one of the free-text fields; a trailing `*`
makes the last token a prefix. Word tokens are runs of Unicode letters and digits, lower-cased
(`/api/amy.smith?q=1` holds `api`, `amy`, `smith`, `q`, `1`): SQLite FTS5's `unicode61`
tokenizer and the Elasticsearch `mlm_words` analyzer both split this way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The fields the free-text search covers (EVENTS.md: what an analyst hunts through).
EVENT_TEXT_FIELDS = ("url.path", "url.query", "http.request.body.content", "user_agent.original", "user.name")
ALERT_TEXT_FIELDS = ("rule.name", "summary")

MAX_TEXT = 1000
MAX_TERMS = 16
_TOKEN_RE = re.compile(r"[^\W_]+")
# The same split for the Elasticsearch pattern tokenizer (Java regex).
ES_TOKEN_SPLIT = r"[^\p{L}\p{N}]+"


@dataclass(frozen=True, slots=True)
class Term:
    """One search term: a phrase of word tokens, the last one a prefix when `prefix`."""

    tokens: tuple[str, ...]
    prefix: bool = False

    @property
    def phrase(self) -> str:
        return " ".join(self.tokens)


def parse_text(text: str | None) -> list[Term]:
    """Split a free-text search into terms; terms without any word token are dropped."""
    if not text:
        return []
    if len(text) > MAX_TEXT:
        raise ValueError(f"search text longer than {MAX_TEXT} characters")
    terms = []
    for raw in text.split():
        tokens = tuple(t.lower() for t in _TOKEN_RE.findall(raw))
        if tokens:
            terms.append(Term(tokens, prefix=raw.endswith("*")))
    if len(terms) > MAX_TERMS:
        raise ValueError(f"more than {MAX_TERMS} search terms")
    return terms


def fts5_query(terms: list[Term]) -> str:
    """An FTS5 MATCH expression; tokens are letters and digits only, so quoting is safe."""
    return " ".join(f'"{t.phrase}"' + (" *" if t.prefix else "") for t in terms)
