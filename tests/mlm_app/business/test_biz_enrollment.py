"""Enrollment through a referral code: both trees, placement, the distributor_enrolled event."""

from dataclasses import replace

import pytest
from bizworld import NOW, make_world

from mlm_app.business.distributors.genealogy import downline
from mlm_app.business.distributors.models import Distributor
from mlm_app.business.distributors.service import Enrollment, enroll
from mlm_app.business.errors import AccessDenied, Invalid


def test_enrollment_emits_contract_event_and_places_by_weaker_leg(world):
    with world.factory() as s:
        root = world.root(s)
        a = world.join(s, root, "amy", bank="DE89 3704 0044 0532 0130 00")
        b = world.join(s, root, "bob")
        c = world.join(s, a, "cat")
        s.commit()
        assert (a.parent_id, a.position, b.position) == (root.id, "left", "right")
        assert (c.sponsor_id, c.parent_id, c.sponsor_path) == (a.id, a.id, f"/{root.id}/{a.id}/")
    event = world.actions("distributor_enrolled")[0]
    mlm = event["mlm"]
    assert event["event"]["dataset"] == "mlm.commerce" and mlm["distributor"]["id"] == "D000002"
    assert mlm["sponsor"]["id"] == "D000001" and mlm["placement"] == {"parent_id": "D000001", "position": "left"}
    assert mlm["plan"] == "binary" and mlm["email"]["domain"] == "example.org"
    assert mlm["bank"]["fingerprint"] == world.fingerprint("DE8937040044053201 3000", "bank")
    assert len(mlm["email"]["fingerprint"]) == 32 and "amy@" not in str(event)
    assert "bank" not in world.actions("distributor_enrolled")[1]["mlm"]


def test_enrollment_refuses_bad_codes_and_missing_terms(world):
    with world.factory() as s:
        root = world.root(s)
        bad = Enrollment("NOPE1234", "zed", "unused-password", "zed@example.org", accept_terms=True)
        with pytest.raises(Invalid, match="referral code"):
            enroll(s, bad, config=world.config, fingerprint=world.fingerprint, now=NOW, events=world.emitter)
        with pytest.raises(Invalid, match="terms"):
            enroll(s, replace(bad, sponsor_code=root.referral_code, accept_terms=False), config=world.config,
                   fingerprint=world.fingerprint, now=NOW, events=world.emitter)
        with pytest.raises(Invalid, match="code"):
            enroll(s, replace(bad, sponsor_code="' OR 1=1 --"), config=world.config,
                   fingerprint=world.fingerprint, now=NOW, events=world.emitter)
    assert world.events == []


@pytest.mark.parametrize("plan, width, expected", [("matrix", 3, ["0", "1", "2", "0"]), ("board", 2, ["0", "1", "0", "1"]),
                                                   ("unilevel", 3, ["0", "1", "2", "3"])])
def test_breadth_first_placement_for_matrix_board_unilevel(tmp_path, plan, width, expected):
    from mlm_app.business.config import BusinessConfig
    world = make_world(f"sqlite:///{tmp_path / 'x.db'}", tmp_path, BusinessConfig(plan=plan, matrix_width=width))
    with world.factory() as s:
        root = world.root(s)
        members = [world.join(s, root, f"user{i}") for i in range(4)]
        assert [m.position for m in members] == expected
        parents = [m.parent_id for m in members]
        assert parents[0] == root.id and (parents[3] == root.id) == (plan == "unilevel")


def test_genealogy_pages_own_downline_only(world):
    with world.factory() as s:
        root = world.root(s)
        a = world.join(s, root, "amy")
        b = world.join(s, root, "bob")
        kids = [world.join(s, a, f"kid{i}") for i in range(5)]
        world.join(s, kids[0], "grandkid")
        s.commit()
        amy = s.get(Distributor, a.id)
        page = downline(s, amy, a.id, page=2, size=4)
        assert (page.total, page.pages, [r.id for r in page.rows]) == (6, 2, [kids[4].id, "D000009"])
        assert page.rows[-1].level == 2
        with pytest.raises(AccessDenied):
            downline(s, amy, b.id)
        with pytest.raises(AccessDenied):
            downline(s, amy, root.id)
