"""One test over every rule file: parses, unique id, level, ATT&CK tag, category, known fields.

Like elastic/detection-rules: load everything once, collect every offender, fail once with the list.
"""

from __future__ import annotations

import re

import pytest
import yaml
from builders import make_event

from core.schema import FIELDS
from detectors.sigma import PACKAGED_RULES, load_detector
from detectors.sigma.loader import RuleLoadError, load_collection, rule_files
from detectors.sigma.meta import rule_meta

ATTACK_TECHNIQUE = re.compile(r"^attack\.t\d{4}(\.\d{3})?$")


def test_every_rule_file_is_valid():
    files = rule_files([PACKAGED_RULES])
    assert len(files) >= 9
    problems: list[str] = []
    ids: dict[str, str] = {}
    collection = load_collection(files)
    for rule in collection.rules:
        where = f"{rule.source.path.name}: {rule.title}"
        rid = str(rule.id) if rule.id else None
        if rid is None:
            problems.append(f"{where}: no id")
        elif rid in ids:
            problems.append(f"{where}: id {rid} also used by {ids[rid]}")
        else:
            ids[rid] = where
        try:
            rule_meta(rule, where)
        except ValueError as exc:
            problems.append(str(exc))
        if not any(ATTACK_TECHNIQUE.match(f"{t.namespace}.{t.name}") for t in rule.tags):
            problems.append(f"{where}: no ATT&CK technique tag (attack.tNNNN)")
        if not rule.description:
            problems.append(f"{where}: no description")
    detector = load_detector([PACKAGED_RULES])  # compiles every rule
    for rule_id, fields in detector.used_fields().items():
        for name in sorted(fields - set(FIELDS)):
            problems.append(f"{ids.get(rule_id, rule_id)}: field {name!r} is not in core.schema.FIELDS")
    assert not problems, "rule problems:\n" + "\n".join(problems)


def test_each_file_parses_as_yaml_documents():
    for path in rule_files([PACKAGED_RULES]):
        docs = [d for d in yaml.safe_load_all(path.read_text()) if d]
        assert docs, f"{path.name}: empty"


def test_errors_name_the_file_and_rule(tmp_path):
    bad = tmp_path / "broken.yml"
    bad.write_text("title: x\nid: 1b4e28ba-2fa1-11d2-883f-0016d3cca427\nlogsource: {product: mlm}\n"
                   "detection:\n  sel: {event.action: login}\n  condition: sel and missing\nlevel: low\n"
                   "mlm: {category: test}\n")
    with pytest.raises(Exception) as info:
        load_detector([tmp_path])
    assert "broken.yml" in str(info.value)
    (tmp_path / "broken.yml").write_text("title: [unclosed\n")
    with pytest.raises(RuleLoadError, match="broken.yml"):
        load_detector([tmp_path])


def test_duplicate_ids_are_refused(tmp_path):
    text = ("title: {t}\nid: 1b4e28ba-2fa1-11d2-883f-0016d3cca427\nlogsource: {{product: mlm}}\n"
            "detection:\n  sel: {{event.action: login}}\n  condition: sel\nlevel: low\nmlm: {{category: test}}\n")
    (tmp_path / "a.yml").write_text(text.format(t="a"))
    (tmp_path / "b.yml").write_text(text.format(t="b"))
    with pytest.raises(ValueError, match="duplicate rule id"):
        load_detector([tmp_path])


def test_deprecated_rules_keep_their_id_but_never_run_or_export(tmp_path):
    from detectors.export import export_rules

    base = ("title: Export\nid: 1b4e28ba-2fa1-11d2-883f-0016d3cca401\nname: t_export\nlogsource: {product: mlm}\n"
            "detection: {sel: {event.action: data_exported}, condition: sel}\nlevel: low\nmlm: {category: test}\n")
    corr = ("title: Exports\nid: 1b4e28ba-2fa1-11d2-883f-0016d3cca402\nstatus: deprecated\n"
            "correlation: {type: event_count, rules: [t_export], group-by: [user.id], timespan: 10m,"
            " condition: {gte: 1}}\nlevel: high\nmlm: {category: test}\n")
    (tmp_path / "r.yml").write_text(base + "---\n" + corr)
    detector = load_detector([tmp_path])
    assert detector.correlations == [] and detector.actions == frozenset()  # its feeding rule idles too
    assert detector.process(make_event(0, event__action="data_exported", user__id="u1")) == []
    result = export_rules([tmp_path])
    assert [q["rule"]["name"] for q in result.queries] == ["t_export"]
    assert result.skipped == [("Exports (1b4e28ba-2fa1-11d2-883f-0016d3cca402)", "deprecated: covered elsewhere, not run")]
    (tmp_path / "s.yml").write_text(base.replace("cca401", "cca402").replace("t_export", "other"))
    with pytest.raises(ValueError, match="duplicate rule id"):
        load_detector([tmp_path])  # a deprecated rule's id stays taken


@pytest.mark.parametrize("language", ["lucene", "esql", "eql"])
def test_every_detection_rule_of_the_pack_exports(language):
    from sigma.rule import SigmaRule

    from detectors.export import export_rules

    result = export_rules([PACKAGED_RULES], language)
    collection = load_collection(rule_files([PACKAGED_RULES]))
    detection = {str(r.id) for r in collection.rules if isinstance(r, SigmaRule) and r.status.name != "DEPRECATED"}
    exported = {q["rule"]["id"]: q for q in result.queries}
    assert detection <= set(exported), [s for s in result.skipped if s[0].split("(")[-1].rstrip(")") in detection]
    # Lucene cannot compare two fields, EQL cannot test existence: such a rule is given in ES|QL, labelled so.
    staff = exported["3f6c1d2a-5b7e-4c19-9a01-6d0e1f2a1001"]
    assert staff["language"] == "esql" and "user.id==mlm.target.id" in staff["queries"][0]
    assert exported["3f6c1d2a-5b7e-4c19-9a01-6d0e1f2a0701"]["language"] == language  # plain rules stay as asked
