"""Weak probes: values a fuzzer sends to see what breaks, that a person may also type by accident.

A lone SQL keyword (`select`, `desc`), a value of only quotes or punctuation (`'`, `--`, `|`), a
half-open tag (`<test x=y//`), a bare command-line flag (`--help`). One of them proves nothing, so
none alerts on its own: the aggregator counts the distinct probes each source sends and alerts
when a source sends many (a scanner walking a wordlist), see `aggregate.PROBE_SCANNER`.
"""

from __future__ import annotations

import re
from itertools import pairwise

from detectors.injection.decode import squeeze

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


# Lone probes: values that are weak-probe shaped yet no person types them, so one request alerts
# (at low severity). SQL words that are not English and that fuzzing lists send alone.
LONE_SQL_WORDS = frozenset({
    "order by", "group by", "exec xp", "exec sp", "to_timestamp_tz", "tz_offset", "bfilename", "waitfor",
    "xp_cmdshell", "sp_executesql", "utl_http", "dbms_pipe", "pg_sleep", "sysdate", "getdate()", "now()",
    "user()", "version()", "database()", "current_user()", "@@version",
})
# Command names alone stay weak (wfuzz's path words hold netstat, printenv: CGI script names), except
# `env`, which scanners send alone (wapiti) and no form field expects: sent as a query value, that
# path word is an accepted false positive of the evaluation.
LONE_COMMAND_WORDS = frozenset({"--help", "--version", "env"})
# What breaks a query or a shell when it arrives unescaped: a value of only punctuation that holds
# one of these is a "does it break?" probe. '-', '/', '.', '*', '%', '?', '!' alone are placeholders
# and wildcards people do type, so they are not enough.
_BREAKING = re.compile(r"['\"`;|#()=&\[\]{}]|\$[({]|--|/\*|\*/")  # not < >: arrows, << >> page links
_ASCII_PUNCT = re.compile(r"^[\s!-/:-@\[-`{-~]{1,16}$")
_QUOTES_ONLY = re.compile(r"^[\s'\"`\\]+$")  # '' and \\ are weak: stray keys and escapes people type
# Emoticons are the punctuation people really type alone: :) ;-) :'( <3 </3 ^_^ >_< (: =]
_EMOTICON = re.compile(r"^[>}]?[:;=8][\-'^o]?[()\[\]{}|/\\*$@#<>3pPdDoO0xX]{1,3}$|"
                       r"^[()\[\]{}|/\\dD<>]{1,3}[\-'^]?[:;=8]$|^<\\?/?3+$")
_KAOMOJI = re.compile(r"[\^>;T\-o0@*]_+[\^<;T\-o0@*]|\^[\w.-]?\^")  # ^_^ (^_^) (>_<) \(^o^)/
_EMPTY_PAIRS = re.compile(r"^(\(\)|\[\]|\{\})+$")  # ids=[] filters={}: empty lists and objects apps send
# A word glued to one unbalanced quote (1', admin', 'test, 'x): quoted words ("serum") and possessives
# inside a name (O'Brien) are not; a number before a double quote is inches (12").
_LONE_QUOTE = re.compile(r"^[\w.@-]{1,40}['`]$|^[\w.@-]*[a-z_]\"$|^['`][\w.@-]{1,40}$|"
                         r"^['`]\s*#|^['`]\s*(or|and|xor|union|select|sleep|waitfor|exec)\s*$|"
                         r"^['\"`]\s*sleep\s+\d+\s*['\"`]?$", re.IGNORECASE)

# Words that carry an apostrophe at an end: English plural possessives (Jones', parents'), decades ('90s),
# dropped letters ('tis, 'em, 'cause), and the Italian accent typed without accents (Cannavo', Forli',
# perche'): a person types these alone.
_WORD_APOSTROPHE = re.compile(r"^[a-z]+s'$|^'\d0s$|^'(tis|twas|em|cause|cos|bout|til|n|round|kay)$|"
                              r"^[a-z]{2,}[aeiou]'$", re.IGNORECASE)
# A backtick that closes a shell substitution nobody opened (a`)`, 1`;): the start of a command breakout.
_BACKTICK_BREAK = re.compile(r"^[\w.@-]{0,40}`[)\];|&]+`?$")
# A quote broken out of, then a command alone ('dir, "id, `whoami): the shortest shell breakout probe.
_QUOTE_COMMAND = re.compile(r"^['\"`]\s*(id|ls|dir|pwd|ver|whoami|uname|ifconfig|ipconfig|netstat|hostname|"
                            r"systeminfo|tasklist|env)\s*$", re.IGNORECASE)

# A tag probe with an unquoted attribute value (<test x=y//, <a href=x//, <svg/onxx=y>) or a bare tag
# start (<test): editors quote every attribute, and people write "<3" or "<Base Model>", not these.
# Checked in steps, not one regex: nested optional attribute groups backtrack exponentially.
_TAG_OPEN = re.compile(r"<[a-z][\w-]*[\s/]", re.IGNORECASE)
_UNQUOTED_ATTR = re.compile(r"[\s/][a-z-]+=[^\s\"'<>]", re.IGNORECASE)
_BARE_TAG = re.compile(r"<[a-z][\w-]*/*", re.IGNORECASE)
# A whole value that is the address of a script: what an injected <script src> would load.
_SCRIPT_URL = re.compile(r"^(https?:)?//[\w.-]+(:\d+)?/\S*\.js(\?\S*)?$", re.IGNORECASE)

# The objects a template probe names ($class, $request). A shell variable alone ($USER, ${HOME}) stays
# a weak probe: people paste it as text (the naughty-strings list keeps $HOME as benign).
_TEMPLATE_VAR = re.compile(r"^\$!?\{?(class|request|response|session|application|servlet|context|env|"
                           r"this|self|smarty|_get|_post|_server|_cookie|_env|_request)\}?$")


def lone_class(text: str) -> str | None:
    """The class of a probe that alerts on one request (low severity), or None."""
    if len(text) > MAX_PROBE_CHARS or text.count(" ") > MAX_PROBE_SPACES:
        return None
    value = text.strip()
    if "\x00" in value:  # a NUL byte cuts a path or string short in C-backed code; no keyboard types one
        return "traversal"
    lowered = value.lower()
    if lowered in LONE_SQL_WORDS:
        return "sqli"
    if lowered in LONE_COMMAND_WORDS or _BACKTICK_BREAK.match(value) or _QUOTE_COMMAND.match(value):
        return "command"
    if _TEMPLATE_VAR.match(value):
        return "ssti"
    if _LONE_QUOTE.match(value) and not _WORD_APOSTROPHE.match(value) or _LDAP.search(value) \
            or _punct_probe(value):
        return "sqli"
    if value in ("<", "<?"):  # does the page echo '<' unencoded? (in any of its encodings, decoded here)
        return "xss"
    if value.startswith("<") and _tag_probe(value) or _SCRIPT_URL.match(value):
        return "xss"
    return None


def _tag_probe(value: str) -> bool:
    """One tag, opened and never quoted, with an unquoted attribute value or nothing after its name.
    ASCII only: a pasted <foo val=“bar” /> with typographic quotes is prose about markup."""
    if not value.isascii() or _BARE_TAG.fullmatch(value):
        return value.isascii()
    value = squeeze(value)
    return (_TAG_OPEN.match(value) is not None and _UNQUOTED_ATTR.search(value) is not None
            and value.count("<") == 1 and ">" not in value[:-1] and not any(q in value for q in "\"'`"))


def _punct_probe(value: str) -> bool:
    """Only punctuation, holding a character that breaks SQL or a shell; not an emoticon or a divider."""
    if not _ASCII_PUNCT.match(value) or _QUOTES_ONLY.match(value) or _EMOTICON.match(value) \
            or _KAOMOJI.search(value) or _EMPTY_PAIRS.match(value):
        return False
    if len(value) > 2 and len(set(value)) == 1:
        return False  # "-----", "####", "****": dividers and ratings
    return _BREAKING.search(value) is not None and not keyboard_sweep(value)


# The US keyboard's rows, unshifted and shifted: a run of neighbouring keys (!@#$%^&*(), ,./;'[]\-=)
# is a person testing a form or choosing a password, not a fuzzer's breaking character.
_ROWS = ("`1234567890-=", "~!@#$%^&*()_+", "qwertyuiop[]\\", "QWERTYUIOP{}|", "asdfghjkl;'", 'ASDFGHJKL:"',
         "zxcvbnm,./", "ZXCVBNM<>?")
_KEY = {ch: (row // 2, col) for row, keys in enumerate(_ROWS) for col, ch in enumerate(keys)}
_KEY["~"] = (0, 0)  # the shifted backtick


def keyboard_sweep(value: str) -> bool:
    """Six or more keys typed as runs of neighbours along the keyboard's rows, every run at least two
    keys long (`!@#$%^&*()`~`, `,./;'[]\\-=`): a sweep across the keyboard, not a crafted probe."""
    if len(value) < 6 or any(ch not in _KEY for ch in value):
        return False
    run = 1
    for prev, ch in pairwise(value):
        (r0, c0), (r1, c1) = _KEY[prev], _KEY[ch]
        if r0 == r1 and abs(c1 - c0) <= 1:
            run += 1
            continue
        if run < 2:
            return False
        run = 1
    return run >= 2


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
