"""Finds injection payloads in one HTTP event: decode each location, then patterns, libinjection, model."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import libinjection

from detectors.injection import decode, probes
from detectors.injection.matcher import PatternMatcher

# Where payloads arrive, and how each location is split into decoded candidate strings.
LOCATIONS = ("url.query", "http.request.body.content", "url.path", "user_agent.original",
             "http.request.referrer")
PROBE = "probe"  # the engine name of weak findings
LONE = "lone-probe"  # a probe no person types: alerts on its own request, at low severity
_RANK = {PROBE: 0, LONE: 1}  # every other engine (pattern, libinjection, model) is a clear finding: 2
CACHE_SIZE = 16_384  # repeated identical queries (pagination, polling) are decided once
MAX_CACHED_CHARS = 512  # at most 16,384 x 512 characters per cache (9 caches): bounded by size, not trust
SAMPLE_CHARS = 160
_SHELLISH = re.compile(r"['\"\\\\^`$]|\{[\w./-]+,")  # quoting, expansions and brace lists shell_fold undoes
# libinjection only runs where SQL syntax is (a comment, ';' or '='): prose with quotes and
# parentheses fools it ('"You" is you, if you're ...'), and skipping saves its per-call cost.
_SQL_SYNTAX = re.compile(r"[;#=]|--|/\*")
_ACTIVE = re.compile(r"[=(:`]|&#")
# libinjection calls every style attribute XSS; rich-text editors write them on every paragraph
# (style="text-align: center;"). Quoted styles are dropped before it looks, unless they hold a
# script-capable value (the style patterns judge those).
_QUOTED_STYLE = re.compile(r"""\sstyle\s*=\s*("[^"<>]*"|'[^'<>]*')""", re.IGNORECASE)
_STYLE_RISK = re.compile(r"expression\s*\(|javascript|url\s*\(|behavior\s*:|-moz-binding|@import|\\", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Finding:
    """One payload class seen in one location; `sample` is the decoded text (attacker-controlled).

    A `weak` finding is a probe (probes.py): it alerts only when its source sends many.
    """

    cls: str
    location: str
    engine: str
    sample: str

    @property
    def weak(self) -> bool:
        return self.engine == PROBE


def _referrer_parts(referrer: str) -> list[str]:
    """The decoded whole of a referrer URL (its query parameters are judged like url.query)."""
    return [decode.path_part(referrer)]


def _referrer_query(referrer: str) -> str:
    _, _, query = referrer.partition("?")
    return query


_MEMO_LOCATIONS = frozenset({"url.query", "http.request.body.content"})
_SPLITTERS: dict[str, Callable[..., list[str]]] = {
    "url.query": decode.query_parts,
    "http.request.body.content": decode.body_parts,
    "url.path": decode.path_parts,
    "user_agent.original": lambda ua: [decode.deep_decode(ua[: decode.MAX_TEXT], False)],
    "http.request.referrer": _referrer_parts,
}
# Free-form headers are matched by patterns only: libinjection and the model see SQL in any
# parenthesised, semicolon-separated product token list. A user agent with SQL syntax no browser
# writes ('=', a comment) is judged in full.
_PATTERNS_ONLY = frozenset({"url.path", "user_agent.original", "http.request.referrer"})
_UA_SQL = re.compile(r"=|--|/\*|#")


def _libinjection_xss(text: str) -> bool:
    """libinjection's XSS verdict, with harmless quoted style attributes removed first."""
    if "style" in text.lower() and not _STYLE_RISK.search(text):
        text = _QUOTED_STYLE.sub(" ", text)
    return bool(libinjection.is_xss(text)["is_xss"])


# How a part is judged: every engine; patterns only; a path segment (every engine and lone probes,
# no weak probes: crawlers walk odd slugs); a header (patterns and lone probes: `'`, `|`, `1'`).
FULL, PATTERNS, SEGMENT, HEADER = 0, 1, 2, 3
Verdict = tuple[tuple[str, str], ...]  # (class, engine) pairs of one part
_PLAIN_PATH = re.compile(r"[A-Za-z0-9/_.,@ -]*")  # decode.is_plain, and slashes


def _plain_path(path: str) -> bool:
    """A path of names and ids only (/shop, /api/orders/123): no decoding or matching needed."""
    if _PLAIN_PATH.fullmatch(path) is None or "0x" in path:
        return False
    joined = path.replace("/", "")  # /a/../b and /-/-x hide their dots and dashes behind slashes
    return ".." not in joined and "--" not in joined


def _parts(location: str, raw: str, memo: decode.Memo | None = None) -> list[tuple[str, int]]:
    """The decoded parts of one location and how each is judged."""
    if location == "url.path":  # the whole path by patterns; a segment alone (/product/1') may be a lone probe
        whole, *segments = decode.path_parts(raw)
        return [(whole, PATTERNS)] + [(segment, SEGMENT) for segment in segments]
    mode = PATTERNS if location in _PATTERNS_ONLY else FULL
    if location == "user_agent.original":
        mode = FULL if _UA_SQL.search(raw) else HEADER
    if location in _MEMO_LOCATIONS:  # parameters: short escaped values recur across bodies
        return [(part, mode) for part in _SPLITTERS[location](raw, memo)]
    parts = [(part, mode) for part in _SPLITTERS[location](raw)]
    if location == "http.request.referrer" and (query := _referrer_query(raw)):
        parts += [(part, FULL) for part in decode.query_parts(query)]  # parameters, as in url.query
    return parts


def _bounded_put(cache: dict[str, Any], key: str, value: Any) -> None:
    if len(key) > MAX_CACHED_CHARS:
        return  # long values rarely repeat; keeping them would let hostile input fill memory
    if len(cache) >= CACHE_SIZE:
        cache.clear()  # simple and bounded; a hot set refills in a few events
    cache[key] = value


class Analyzer:
    """`findings(flat_event)` lists the payload classes in an `mlm.http` event, per location."""

    def __init__(self, model: Any | None = None, force_re: bool = False) -> None:
        self.matcher = PatternMatcher(force_re=force_re)
        self.model = model
        # Verdicts are cached twice, both bounded: per raw location value (a browser's user agent,
        # a polled query string) and per decoded part (the keys and values that recur inside
        # otherwise unique bodies: "username", "[REDACTED]", "page", "2").
        self._caches: tuple[tuple[str, dict[str, tuple[Finding, ...]]], ...] = tuple(
            (location, {}) for location in LOCATIONS)
        self._by_location: dict[str, dict[str, tuple[Finding, ...]]] = dict(self._caches)
        self._parts: tuple[dict[str, Verdict], ...] = ({}, {}, {}, {})
        self._decoded: decode.Memo = {}  # decoded forms of escaped values that recur (%5BREDACTED%5D)

    def findings(self, flat: dict[str, Any]) -> list[Finding]:
        """Every finding of the event; absent, empty and already-judged locations cost a lookup."""
        out: list[Finding] = []
        get = flat.get
        for location, cache in self._caches:
            raw = get(location)
            if not raw:
                continue
            hit = cache.get(raw)
            if hit is None:
                if type(raw) is not str:
                    continue
                if location == "url.path" and _plain_path(raw):
                    _bounded_put(cache, raw, ())  # the common case: /shop, /api/orders/123
                    continue
                hit = self.location_findings(location, raw)
            if hit:
                out += hit
        return out

    def location_findings(self, location: str, raw: str) -> tuple[Finding, ...]:
        """Findings of one raw location value, cached (bounded) on the raw text."""
        cache = self._by_location[location]
        hit = cache.get(raw)
        if hit is not None:
            return hit
        found: dict[str, Finding] = {}
        for part, mode in _parts(location, raw, self._decoded):
            for cls, engine in self._verdict(part, mode):
                if engine == PROBE and location == "user_agent.original":
                    continue  # a stray quote in a user agent is no probe
                known = found.get(cls)
                if known is None or _RANK.get(known.engine, 2) < _RANK.get(engine, 2):  # clear beats probe
                    found[cls] = Finding(cls, location, engine, part[:SAMPLE_CHARS])
        result = tuple(found.values())
        _bounded_put(cache, raw, result)
        return result

    def _verdict(self, part: str, mode: int) -> Verdict:
        """`classify` of one decoded part in one mode, cached (bounded) on the part."""
        cache = self._parts[mode]
        hit = cache.get(part)
        if hit is None:
            verdict = self.classify(part, mode in (PATTERNS, HEADER))
            if mode >= SEGMENT:
                verdict = [v for v in verdict if v[1] != PROBE]
                if not verdict and (cls := probes.lone_class(part)):
                    verdict = [(cls, LONE)]
            hit = tuple(verdict)
            _bounded_put(cache, part, hit)
        return hit

    def classify(self, text: str, patterns_only: bool = False) -> list[tuple[str, str]]:
        """(class, engine) pairs for one decoded candidate string."""
        if not text:
            return []
        if " " not in text and (text.isalnum() or decode.is_plain(text)) and "0x" not in text.lower():
            # One plain word (page=2, sort=price_asc) matches no pattern; a lone keyword is a probe.
            if patterns_only:
                return []
            lowered = text.lower()
            if lowered in probes.LONE_SQL_WORDS or lowered in probes.LONE_COMMAND_WORDS:
                return [(probes.lone_class(lowered) or "sqli", LONE)]
            cls = probes.word_class(lowered)
            return [(cls, PROBE)] if cls else []
        squeezed = decode.squeeze(text)
        folded = decode.sql_fold(squeezed)
        classes = self.matcher.classes(squeezed)
        if folded is not squeezed:
            classes |= self.matcher.classes(decode.squeeze(folded))
        if "command" not in classes and _SHELLISH.search(text):
            shell = decode.shell_fold(squeezed)  # what the shell runs: w'h'o'am'i, $'\x69\x64', c$@at
            if shell != squeezed and "command" in self.matcher.classes(shell):
                classes.add("command")
        out = [(c, "pattern") for c in sorted(classes)]
        if patterns_only:
            return out
        if decode.is_plain(text):
            return out or self._probe(text)
        if "sqli" not in classes and _SQL_SYNTAX.search(folded) and \
                libinjection.is_sql_injection(folded)["is_sqli"]:
            out.append(("sqli", "libinjection"))
        # libinjection's XSS tokenizer also flags bare tags like "<Base Model>": with no attribute,
        # call, scheme or entity syntax a tag cannot execute, so that alone stays quiet.
        if "xss" not in classes and "<" in text and _ACTIVE.search(text) and _libinjection_xss(text):
            out.append(("xss", "libinjection"))
        if out:
            return out
        probe = self._probe(text)
        if not probe and self.model is not None and (cls := self.model.predict(folded)) is not None:
            # The model alone is a weak finding (it counts toward a scanner): it adds nothing to the public
            # lists' recall, and on text unlike its training (release notes: "unstable; urgency=low") it errs.
            return [(cls, PROBE)]
        return probe

    @staticmethod
    def _probe(text: str) -> list[tuple[str, str]]:
        cls = probes.lone_class(text)
        if cls:
            return [(cls, LONE)]
        cls = probes.probe_class(text)
        return [(cls, PROBE)] if cls else []
