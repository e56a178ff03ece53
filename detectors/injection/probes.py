"""Weak probes: values a fuzzer sends to see what breaks, that a person may also type by accident.

A lone SQL keyword (`select`, `desc`), a value of only quotes or punctuation (`'`, `--`, `|`), a
half-open tag (`<test x=y//`), a bare command-line flag (`--help`). One of them proves nothing, so
none alerts on its own: the aggregator counts the distinct probes each source sends and alerts
when a source sends many (a scanner walking a wordlist), see `aggregate.PROBE_SCANNER`.
"""

from __future__ import annotations

import re

# Keywords and functions of SQL dialects that fuzzing lists send alone. Everyday parameter names
# (limit, order, page, sort) are left out: they arrive as keys on every API call.
SQL_WORDS = frozenset({
    "select", "insert", "delete", "update", "drop", "union", "truncate", "procedure", "distinct",
    "having", "replace", "like", "handler", "bfilename", "print", "or", "and", "as", "asc", "desc",
    "order by", "group by", "exec xp", "exec sp", "to_timestamp_tz", "tz_offset", "sleep", "benchmark",
    "waitfor", "xp_cmdshell", "exec", "execute", "declare", "null", "true", "false", "now()", "user()",
    "version()", "database()", "@variable", ",@variable", "@@variable", "sqlattempt1", "(sqlattempt2)",
    "--ora_sqls", "#mysql", "1 and 1", "1 or 1", "or true", "and true", "or false", "and false", "-",
})
COMMAND_WORDS = frozenset({"ifconfig", "ipconfig", "netstat", "whoami", "systeminfo", "sysinfo", "printenv",
                           "--help", "--version", "-h", "-v", "--", "id", "uname", "pwd", "ls"})
# Only quotes, brackets, operators and comment marks: the classic "does it break?" characters.
# ':' and '^' are left out: emoticons (:-) ^_^) are punctuation-only values people do type.
_PUNCT_ONLY = re.compile(r"^[\s'\"`()\[\]{}#;=*/\\&|+%!,.<>@$?_-]+$")
# A word glued to one unbalanced quote (1', admin', 'test), a quote glued to '#' or a comment.
_QUOTE_GLUED = re.compile(r"^['\"`]?[\w.@-]{1,40}['\"`]$|^['\"`][\w.@-]{1,40}$|^['\"`]#|"
                          r"^['\"`]\s*(or|and|xor|union|select|sleep|waitfor|exec)\b", re.IGNORECASE)
# LDAP filter injection (*)(|(mail=*)): no class of its own here, counted with the query probes.
_LDAP = re.compile(r"\*\)*\s*\(\s*[|&!]\s*\(\s*\w+\s*=")
# Tag probes as XSS fuzzers send them: unclosed, slash-separated, or with an unquoted attribute.
_TAG_PROBE = re.compile(r"<[a-z][\w-]*((\s|/)[^<>]*)?(//\s*$|$)|<[a-z][\w-]*/[a-z]|"
                        r"<[a-z][\w-]*\s+[a-z-]+=[^\s\"'>]+\s*/?>", re.IGNORECASE)
_ENV_VAR = re.compile(r"^\$\{?[A-Z_]{3,}\}?$")
MAX_PROBE_CHARS = 64  # fuzzing probes are short; long text with a stray quote is prose
MAX_PROBE_SPACES = 3  # and they are a token or two ("' OR", "order by", "<test x=y//")


def word_class(lowered: str) -> str | None:
    """The probe class of one lower-cased plain word (the analyzer's fast path: set lookups only)."""
    return "sqli" if lowered in SQL_WORDS else "command" if lowered in COMMAND_WORDS else None


def probe_class(text: str) -> str | None:
    """The class a weak probe belongs to, or None when the value is not one."""
    if len(text) > MAX_PROBE_CHARS or text.count(" ") > MAX_PROBE_SPACES:
        return None  # the common benign case, prose, leaves here without a regex
    value = text.strip()
    if not value:
        return None
    lowered = value.lower()
    if lowered in SQL_WORDS:
        return "sqli"
    if lowered in COMMAND_WORDS or _ENV_VAR.match(value):
        return "command"
    if _PUNCT_ONLY.match(value) or _QUOTE_GLUED.match(value) or _LDAP.search(value):
        return "sqli"
    if "<" in value and _TAG_PROBE.search(value):
        return "xss"
    return None
