"""Decoding layers that undo evasion before matching: URL, HTML, Unicode, SQL comments, JSON, params.

Every function here is pure and bounded: hostile input costs at most a few passes over 4 KiB.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote, unquote_plus

import orjson

MAX_DECODE_PASSES = 4  # triple encoding is common in scanners; more is noise, and bounds the cost
MAX_TEXT = 4096  # the contract bounds bodies to 4096 bytes; queries and headers get the same cap
MAX_PARTS = 64  # parameters inspected per location; the rest of a flood of params adds nothing
MAX_JSON_STRINGS = 128

_PCT_U = re.compile(r"%u([0-9a-fA-F]{4})")  # IIS-style %u003c
_ESC_X = re.compile(r"\\x([0-9a-fA-F]{2})|\\u([0-9a-fA-F]{4})")  # JS/PHP string escapes
_SQL_VERSION_COMMENT = re.compile(r"/\*!\d*")  # MySQL /*!50000union*/ executes its content
_SQL_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
# newline stays: it separates shell commands; a no-break space (%a0, or the replacement character
# a lone %a0 decodes to) is a blank to MySQL and a common filter bypass
_SPACES = re.compile(r"[ \t\x00-\x09\x0b-\x1f\x7f\xa0\ufffd]+")
_WORD_QUOTES = re.compile(r"(?<=\w)(?:''|\"\"|['\"\\\\^])(?=\w)")
_FORM = re.compile(r"^[\w.\[\]$%+-]*=[^&]*(&[\w.\[\]$%+-]*=?[^&]*)*$")  # keys of names, encoded values
_ESCAPES = re.compile(r"[%+&\\]")  # what url_decode and normalize act on in ASCII text
_SUSPECT = re.compile(r"[^A-Za-z0-9 _.,@\-]")  # a value of only these is left alone (fast path)


def _pct_u(match: re.Match[str]) -> str:
    return chr(int(match.group(1), 16))


def _esc(match: re.Match[str]) -> str:
    return chr(int(match.group(1) or match.group(2), 16))


# Overlong UTF-8 and look-alike slashes that some servers fold to '.', '/' and '\\'.
_OVERLONG = re.compile(r"%(c0%ae|e0%80%ae|c0%2e|c0%af|e0%80%af|c0%2f|c1%9c|c1%1c|c0%5c)", re.IGNORECASE)
_OVERLONG_MAP = {"c0%ae": ".", "e0%80%ae": ".", "c0%2e": ".", "c0%af": "/", "e0%80%af": "/",
                 "c0%2f": "/", "c1%9c": "\\", "c1%1c": "\\", "c0%5c": "\\"}
_LOOKALIKE = str.maketrans({"\u2215": "/", "\u2216": "\\", "\u2044": "/", "\u29f8": "/", "\uefc8": "/",
                            "\uf025": "/"})  # the last two: IIS best-fit mappings seen in dotdotpwn


def _overlong(match: re.Match[str]) -> str:
    return _OVERLONG_MAP[match.group(1).lower()]


def url_decode(text: str, plus_is_space: bool) -> str:
    """Percent-decode repeatedly (bounded) until stable; `+` is a space in query strings."""
    for i in range(MAX_DECODE_PASSES):
        if "%c" in text or "%C" in text or "%e0" in text or "%E0" in text:
            text = _OVERLONG.sub(_overlong, text)
        if "%" not in text and not (plus_is_space and i == 0 and "+" in text):
            break
        step = unquote_plus(text) if plus_is_space and i == 0 else unquote(text)
        if "%u" in step or "%U" in step:
            step = _PCT_U.sub(_pct_u, step)
        if step == text:
            break
        text = step
    return text


def normalize(text: str) -> str:
    """HTML entities, escapes and Unicode folded to what a browser, shell or database would see."""
    for _ in range(2):  # entities can be double-encoded too (&amp;lt;)
        if "&" not in text:
            break
        text = html.unescape(text)
    if "\\" in text:
        text = _ESC_X.sub(_esc, text)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).translate(_LOOKALIKE)
    return text


def sql_fold(text: str) -> str:
    """Text with SQL comments replaced by spaces (MySQL version comments keep their content)."""
    if "/*" not in text:
        return text
    text = _SQL_VERSION_COMMENT.sub(" ", text)
    return _SQL_COMMENT.sub(" ", text).replace("*/", " ")


def squeeze(text: str) -> str:
    """Control characters and runs of blanks to one space (null bytes and tabs split keywords)."""
    return _SPACES.sub(" ", text)


def is_plain(text: str) -> bool:
    """True when a value cannot carry a payload: letters, digits, spaces, . , @ _ - (not -- or ..)."""
    return _SUSPECT.search(text) is None and "--" not in text and ".." not in text


def split_params(text: str) -> Iterator[str]:
    """Raw keys and values of an `a=b&c=d` string (still encoded), bounded to MAX_PARTS pairs."""
    for n, pair in enumerate(text.split("&")):
        if n >= MAX_PARTS:
            return
        key, sep, value = pair.partition("=")
        if key:
            yield key
        if sep and value:
            yield value


def _json_strings(node: Any, out: list[str], depth: int = 0) -> None:
    """Collect keys and string values of a decoded JSON document (bounded walk)."""
    if depth > 8 or len(out) >= MAX_JSON_STRINGS:
        return
    if isinstance(node, dict):
        for key, value in node.items():
            out.append(str(key))
            if isinstance(value, dict) and any(str(k).startswith("$") for k in value):
                # An operator object ({"$ne": 1}) is the payload itself: keep its JSON text.
                out.append(orjson.dumps({key: value}).decode()[:MAX_TEXT])
            _json_strings(value, out, depth + 1)
    elif isinstance(node, list):
        for item in node[:MAX_JSON_STRINGS]:
            _json_strings(item, out, depth + 1)
    elif isinstance(node, str):
        out.append(node)


def body_parts(body: str, memo: Memo | None = None) -> list[str]:
    """Decoded pieces of a request body: JSON keys and strings, or form parameters, or the text."""
    body = body[:MAX_TEXT]
    stripped = body.lstrip()
    if stripped[:1] in ("{", "["):
        try:
            doc = orjson.loads(stripped)
        except orjson.JSONDecodeError:
            return [normalize(body)]
        out: list[str] = []
        _json_strings(doc, out)
        # A JSON string is not URL-encoded, but an app that decodes it again is exposed to %2e%2e%2f.
        return [deep_decode(s, False) if "%" in s else normalize(s) for s in out]
    if "=" in body and "\n" not in body:
        parts = [deep_decode(p, True, memo) for p in split_params(body)]
        if not _FORM.match(body):
            parts.append(deep_decode(body, False))  # not a real form (a raw payload with '='): whole too
        return parts
    return [deep_decode(body, False)]


# A caller's memo of the decoded forms of short escaped values, which recur inside otherwise unique
# bodies (password=%5BREDACTED%5D, email=jo%40example.com): bounded by size and key length.
Memo = dict[tuple[str, bool], str]
MEMO_MAX = 8192
MEMO_MAX_CHARS = 128


def deep_decode(text: str, plus_is_space: bool, memo: Memo | None = None) -> str:
    """URL-decode then normalize; again when normalizing revealed new escapes (fullwidth %２ｆ)."""
    if text.isascii() and _ESCAPES.search(text) is None:
        return text  # most keys and values: nothing to undo
    if memo is None or len(text) > MEMO_MAX_CHARS:
        return _deep_decode(text, plus_is_space)
    key = (text, plus_is_space)
    done = memo.get(key)
    if done is None:
        if len(memo) >= MEMO_MAX:
            memo.clear()
        done = memo[key] = _deep_decode(text, plus_is_space)
    return done


def _deep_decode(text: str, plus_is_space: bool) -> str:
    text = normalize(url_decode(text, plus_is_space))
    if "%" in text:
        again = normalize(url_decode(text, False))
        if again != text:
            text = again
    return text


def query_parts(query: str, memo: Memo | None = None) -> list[str]:
    """Decoded keys and values of a raw query string."""
    return [deep_decode(p, True, memo) for p in split_params(query[:MAX_TEXT])]


def path_part(path: str) -> str:
    """The decoded path (traversal and injection hide behind %2e%2e and overlong segments)."""
    return deep_decode(path[:MAX_TEXT], False)


def path_parts(path: str) -> list[str]:
    """The decoded path, then each of its segments that is not plain: a payload in one segment
    (/product/1;--, /files/; id) is judged as a whole value, the way a query parameter is."""
    whole = path_part(path)
    segments = [seg for seg in dict.fromkeys(whole.split("/")) if seg and seg != whole and not is_plain(seg)]
    return [whole, *segments[:MAX_PARTS]]


def unquote_words(text: str) -> str:
    """Shell quoting removed inside words (w'h'o'am'i, c\\at, who^ami run as the plain command)."""
    return _WORD_QUOTES.sub("", text)


# What a shell makes of a word before it runs it: $'\x69\x64' is "id", ${IFS} a blank, {cat,/etc/passwd}
# "cat /etc/passwd", and empty expansions glued to a word ($@, $(), ``, an unset $1 or $u) vanish.
_ANSI_C = re.compile(r"\$'((?:\\(?:x[0-9a-fA-F]{1,2}|[0-7]{1,3}|u[0-9a-fA-F]{4})|[^'\\])*)'")
_ANSI_ESC = re.compile(r"\\(?:x([0-9a-fA-F]{1,2})|([0-7]{1,3})|u([0-9a-fA-F]{4}))")
_IFS = re.compile(r"\$\{?IFS\}?(\$\d)?", re.IGNORECASE)
_BRACES = re.compile(r"\{([\w./-]+(?:,[^{}\s,]*)+)\}")
_EMPTY = re.compile(r"(?<=\w)(?:\$[@*\d]|\$\(\)|``|\$\{\w*\}|\$[a-z](?![\w({]))")
_SHELL_QUOTED = re.compile(r"'([^'\s]*)'|\"([^\"\s]*)\"")  # a quoted word joins its neighbours
_SHELL_ESCAPES = re.compile(r"[\\^](?=\w)")  # c\at, w^hoami (cmd.exe's escape)


def _ansi_c(match: re.Match[str]) -> str:
    def char(esc: re.Match[str]) -> str:
        hex_, octal, uni = esc.groups()
        return chr(int(hex_, 16) if hex_ else int(octal, 8) if octal else int(uni, 16))
    return _ANSI_ESC.sub(char, match.group(1))


def shell_fold(text: str) -> str:
    """The text as a shell would run it: ANSI-C strings decoded, $IFS a blank, brace lists split,
    empty expansions, quotes around words and escapes removed (c''at, "wh"oami, c\\at, w^hoami)."""
    if "$'" in text:
        text = _ANSI_C.sub(_ansi_c, text)
    if "$" in text or "`" in text:
        text = _EMPTY.sub("", _IFS.sub(" ", text))
    if "{" in text:
        text = _BRACES.sub(lambda m: m.group(1).replace(",", " "), text)
    if "'" in text or '"' in text:
        text = _SHELL_QUOTED.sub(lambda m: m.group(1) if m.group(2) is None else m.group(2), text)
    return _SHELL_ESCAPES.sub("", text)
