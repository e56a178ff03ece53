"""Short probes from public fuzzing lists: clear ones alert alone, weak ones only when a source sends many."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote_plus

from builders import make_event

from core.event import Event
from detectors.injection import InjectionDetector
from detectors.injection.aggregate import PROBE_SCANNER, PROBES_AFTER_ATTEMPT
from detectors.injection.analyzer import Analyzer


def http(seconds: float, ip: str = "198.51.100.9", **fields: Any) -> Event:
    base: dict[str, Any] = {"event__dataset": "mlm.http", "event__action": "http_request",
                            "url__path": "/shop", "http__response__status_code": 200, "source__ip": ip}
    base.update({k.replace(".", "__"): v for k, v in fields.items()})
    return make_event(seconds, **base)


# Short, unambiguous probes (wfuzz SQL.txt, sql_inj.txt, commonhuman's boolean and error lists):
# each one alone is a clear attempt.
CLEAR_PROBES = ["AND 1", "and 1", "' --", "'--", "\"", "'", "1' or '1'='1", "1'or'1'='1", "1\" or \"1\"=\"1",
                "1') or ('1'='1", "' or ''='", "' or 1#", "or 1=1", "' or true--", "1;--", " and USER=USER",
                "'--%23foo%0D%0A-", "admin'--", "') or '1'='1--", "' OR 1 --"]
# Weak probes: a keyword or a few punctuation marks that a person may type too.
WEAK_PROBES = ["select", "desc", "or", "-", "!", "''", "%", "*", "/", '12"', "#mysql", "whoami", ";)", "\\",
               "$MONEY", "<<", "$USER", "${HOME}", "Jones'", ",./;'[]\\-="]
# Lone probes: probe-shaped values no person types (a word glued to one quote, only punctuation that
# breaks SQL or a shell, an SQL-only word, a tag with an unquoted attribute): each alerts alone, low.
LONE_PROBES = {"sqli": ["order by", "#", "|", "admin'", "1'", "'test", "now()", "*(|(mail=*))", "' OR", "--",
                        "<>\"'%;)(&+", "=;", "exec xp", "bfilename", "'sleep 50'"],
               "command": ["--help", "env", "a`)`", "1`;"],
               "xss": ["<test x=y//", "<a href=x//", "<aUdio x=y>", "<test", "<", "https://cdn.example.net/x.js"],
               "ssti": ["$class"]}
# What people do type alone: emoticons, placeholders, wildcards, dividers, quoted searches, sizes,
# empty lists an app sends, arrows and page links.
PEOPLE_TYPE = [":)", ";-)", ":'(", "<3", "</3", "^_^", "(^_^)", "(>_<)", "-", "/", ".", "...", "?", "!!!", "*",
               "%", "+", "-----", "#####", "****", "N/A", "$", "$$$", "#1", "5'10\"", '12"', '"serum"',
               "\"Select Comfort\"", "C++", "C#", "1+1", "O'Brien", "Rock 'n' roll", "don't", "->", "<<", ">>",
               "<b>New</b>", "<Base Model>", "[]", "{}", "()", "(optional)", "Drop Top", "Deliver at 5 -- thanks",
               "Tea | Coffee", "$TSLA", "$5", "#tbt", "Jones'", "parents'", "'90s", "'tis", "!@#$%^&*()`~",
               ",./;'[]\\-=", '<>?:"{}|_+', "qwerty", "$HOME", "Cannavo'", "Forli'", "perche'"]


def test_clear_short_probes_alert_alone(analyzer: Analyzer) -> None:
    missed = [p for p in CLEAR_PROBES
              if "sqli" not in {f.cls for f in analyzer.findings({"url.query": "q=" + quote_plus(p)}) if not f.weak}]
    assert not missed


def test_weak_probes_are_weak_findings_only(analyzer: Analyzer) -> None:
    for probe in WEAK_PROBES:
        findings = analyzer.findings({"url.query": "q=" + quote_plus(probe)})
        assert findings and all(f.weak for f in findings), (probe, findings)


def test_lone_probes_alert_alone_at_low_severity(detector: InjectionDetector) -> None:
    for n, (cls, values) in enumerate((c, v) for c, vs in LONE_PROBES.items() for v in vs):
        alerts = detector.process(http(n, ip=f"203.0.113.{n + 1}", **{"url.query": "q=" + quote_plus(values)}))
        assert [(a.rule_id, a.severity) for a in alerts] == [(f"injection.{cls}", "low")], (values, alerts)
        assert "probe" in alerts[0].summary and alerts[0].risk_score < 50


def test_values_people_type_alone_stay_quiet(analyzer: Analyzer) -> None:
    for value in PEOPLE_TYPE:
        placed = [{"url.query": "q=" + quote_plus(value)}]
        if "/" not in value and ".." not in value:  # an encoded slash splits a slug; /.. is traversal
            placed.append({"url.path": "/product/" + quote_plus(value)})
        for fields in placed:
            assert all(f.weak for f in analyzer.findings(fields)), (value, fields)


def test_a_clear_payload_after_a_lone_probe_still_alerts_at_its_severity(detector: InjectionDetector) -> None:
    sent = ["1'", "admin'", "1' UNION SELECT username, password FROM users--", "1' AND SLEEP(5)--"]
    alerts = [a for i, v in enumerate(sent) for a in detector.process(http(i, **{"url.query": "id=" + quote_plus(v)}))]
    assert [(a.rule_id, a.severity) for a in alerts] == [("injection.sqli", "low"), ("injection.sqli", "high")]


def test_a_lone_probe_in_a_path_segment_alerts(detector: InjectionDetector) -> None:
    for n, path in enumerate(["/product/17'", "/files/--", "/api/orders/%7C"]):
        [alert] = detector.process(http(n, ip=f"192.0.2.{n + 1}", **{"url.path": path}))
        assert alert.rule_id == "injection.sqli" and alert.severity == "low", path


def test_lone_probes_in_a_user_agent_alert_and_short_real_agents_do_not(detector: InjectionDetector) -> None:
    for n, agent in enumerate(["admin'", "|", "<>\"'%;)(&+", "--help", "1'"]):
        alerts = detector.process(http(n, ip=f"192.0.2.{n + 1}", **{"user_agent.original": agent}))
        assert [(a.rule_id, a.severity) for a in alerts] in ([("injection.sqli", "low")],
                                                            [("injection.command", "low")]), agent
    quiet = ["-", "curl/8.5.0", "Wget/1.21.3 (linux-gnu)", "okhttp/4.12.0", "Go-http-client/1.1", "Java/17.0.2",
             "python-requests/2.32.3", "Mozilla/5.0", "Dalvik/2.1.0 (Linux; U; Android 14; SM-S911B Build/UP1A)"]
    for n, agent in enumerate(quiet):
        assert detector.process(http(100 + n, ip=f"198.51.100.{n + 1}", **{"user_agent.original": agent})) == []


def test_a_path_segment_is_judged_like_a_parameter(detector: InjectionDetector) -> None:
    path = "/files/" + quote_plus("shoes' AND LENGTH('a')=1-- -", safe="'")
    assert [a.rule_id for a in detector.process(http(0, **{"url.path": path}))] == ["injection.sqli"]
    slugs = ["/product/kids-multivitamin", "/product/Omega-3%20(90%20caps)", "/p/O'Brien's-Tea", "/c/tea-%26-coffee"]
    assert [a for n, slug in enumerate(slugs) for a in detector.process(http(n, ip="203.0.113.9", **{"url.path": slug}))] \
        == []


def test_one_weak_probe_never_alerts_and_repeats_are_not_counted(detector: InjectionDetector) -> None:
    # A person sorting descending all afternoon, or typing one stray quote pair, stays quiet.
    alerts = [a for i in range(300) for a in detector.process(http(i, **{"url.query": "sort=desc&q=%27%27"}))]
    assert alerts == []


def test_many_distinct_probes_from_one_source_are_one_scanner_alert(detector: InjectionDetector) -> None:
    alerts = [a for i, probe in enumerate(WEAK_PROBES * 3)
              for a in detector.process(http(i, **{"url.query": "q=" + quote_plus(probe)}))]
    assert [a.rule_id for a in alerts] == ["injection.scanner"]
    [scanner] = alerts
    assert scanner.severity == "medium" and scanner.entity_value == "198.51.100.9"
    assert len(scanner.event_ids) == PROBE_SCANNER and "distinct probe values" in scanner.summary
    # Other sources sending a few probes each stay quiet.
    others = [a for n in range(50) for i, probe in enumerate(WEAK_PROBES[:3])
              for a in detector.process(http(n, ip=f"203.0.113.{n + 1}", **{"url.query": "q=" + probe}))]
    assert others == []


def test_probes_add_to_a_scanner_that_also_sends_clear_payloads(detector: InjectionDetector) -> None:
    fields = [{"url.query": "q=" + quote_plus(p)} for p in ["' or 1=1--"] + WEAK_PROBES[:PROBES_AFTER_ATTEMPT]]
    alerts = [a for i, f in enumerate(fields * 2) for a in detector.process(http(i, **f))]
    assert [a.rule_id for a in alerts] == ["injection.sqli", "injection.scanner"]
    assert alerts[1].severity == "high" and len(alerts[1].event_ids) == PROBES_AFTER_ATTEMPT + 1


def test_editor_html_with_styles_is_quiet_but_script_styles_alert(analyzer: Analyzer) -> None:
    quiet = ['<p style="text-align: center;"><span style="color: rgb(230, 0, 0);">Order by Friday</span></p>',
             '<ul><li>important</li></ul><p style="margin-left: 40px;">Drop by</p>',
             '<p><img src="https://cdn.example.com/a.jpg" alt="Kit" width="300" height="200"></p><br>']
    for html in quiet:
        assert analyzer.findings({"http.request.body.content": '{"bio": ' + f'"{html}"'.replace("\n", "") + "}"}) \
            == [], html
    loud = ['<p style="width:expression(alert(1))">x</p>', "<div style=\"background:url('javascript:alert(1)')\">"]
    for html in loud:
        assert "xss" in {f.cls for f in analyzer.findings({"url.query": "bio=" + quote_plus(html)})}, html


def test_encoded_traversal_inside_a_json_string_and_a_user_agent(analyzer: Analyzer) -> None:
    body = '{"file": "..%252f..%252f..%252fetc%252fpasswd"}'
    assert "traversal" in {f.cls for f in analyzer.findings({"http.request.body.content": body})}
    ua = "Mozilla/5.0 ..%c0%af..%c0%afetc/passwd"
    assert "traversal" in {f.cls for f in analyzer.findings({"user_agent.original": ua})}


def test_a_raw_body_with_an_equals_sign_is_judged_whole_too(analyzer: Analyzer) -> None:
    assert "sqli" in {f.cls for f in analyzer.findings({"http.request.body.content": "1' or '1'='1"})}
    assert analyzer.findings({"http.request.body.content": "name=Amy&comment=it%27s+fine&qty=2"}) == []


def test_script_context_and_interpreter_payloads(analyzer: Analyzer) -> None:
    cases = {"xss": [";(0,alert)('x')//", "[1].find(alert)", "\";window['ale'+'rt'](1);//",
                     "__proto__[src]=//x.example/a.js", "x.png; script-src 'unsafe-inline'",
                     '<form action="http://x.example/"><input name="a" value="'],
             "command": ["eval(\"puts 'hello world'\")", "Kernel.exit(1)", "%x('ls -al /')"]}
    # wapiti's shapes (a list nobody tuned on): tight separators, PHP breakouts, handler attributes
    cases["command"] += [";env;", "a);env;", "&set&", "';exit(md5('w4p1t1_md5'));//", "\".die(1).\""]
    cases["xss"] += ["\" autofocus onfocus='((x)=>(confirm)(x))(`1`)", "' onmouseover=alert(1) x='"]
    cases["traversal"] = ["data:;base64,PD9waHAgZWNobyAxOyA/Pg==", "index.php::$DATA", "x%00", "../x"]
    missed = [(cls, p) for cls, payloads in cases.items() for p in payloads
              if cls not in {f.cls for f in analyzer.findings({"url.query": "q=" + quote_plus(p, safe="%")})
                             if not f.weak}]
    assert not missed
    quiet = ["Game & Set & Match", "Salt; set; pepper", "data:image/png;base64,iVBORw0KGgo=", "Done. Exit (left)",
             "Our onboarding = (1) sign up", "Turn on (the) lights", "env: production"]
    assert [q for q in quiet if any(not f.weak for f in analyzer.findings({"url.query": "q=" + quote_plus(q)}))] == []


def test_probe_shapes_are_judged_in_linear_time() -> None:
    """Attribute-like repetitions once made the tag-probe regex backtrack for seconds."""
    import time

    from detectors.injection import probes

    hostile = ["<a/" + "a=/" * 20 + '"', "<a x=" + "/a=" * 20 + "'", "*)(" * 21, "'" + "a'" * 31, "<" + "a " * 31]
    for value in hostile:
        started = time.process_time()
        probes.lone_class(value[:64])
        probes.probe_class(value[:64])
        assert time.process_time() - started < 0.05, value
