"""The business routes inside the real app: enrollment by referral link, shop, and the access probe."""

import pytest
from bizhttp import grow
from mlmapp_helpers import CSRF_RE, PASSWORD, csrf, login


def test_enroll_through_referral_link(harness):
    ids = grow(harness.app, harness.events)
    client = harness.client()
    assert login(client, "amy").status_code == 303
    link_page = client.get("/enroll/link").text
    code = link_page.split('id="referral-code">')[1].split("<")[0]
    assert f"/enroll?sponsor={code}" in link_page
    visitor = harness.client("198.51.100.20")
    page = visitor.get(f"/enroll?sponsor={code}")
    assert page.status_code == 200 and "Secret-amy" in page.text
    token = CSRF_RE.search(page.text).group(1)
    form = {"csrf_token": token, "sponsor": code, "username": "newbie", "password": PASSWORD,
            "email": "newbie@mail.example", "bank_account": "NL91ABNA0417164300", "accept_terms": "yes"}
    done = visitor.post("/enroll", data=form)
    assert done.status_code == 303 and done.headers["location"].startswith("/login")
    event = harness.find("mlm.commerce", "distributor_enrolled")[-1]
    assert event["mlm"]["sponsor"]["id"] == ids["amy"] and event["source"]["ip"] == "198.51.100.20"
    assert event["mlm"]["email"]["domain"] == "mail.example" and len(event["mlm"]["bank"]["fingerprint"]) == 32
    again = visitor.post("/enroll", data={**form, "username": "other", "accept_terms": ""})
    assert again.status_code == 400 and "terms" in again.text
    assert "NL91ABNA" not in str(harness.events)
    assert login(visitor, "newbie").status_code == 303
    profile = visitor.get("/account/profile")
    assert profile.status_code == 200 and "4300" in profile.text and "NL91ABNA" not in profile.text
    weak = visitor.post("/enroll", data={**form, "username": "other2", "bank_account": "ABCDEFGH",
                                         "csrf_token": csrf(visitor, f"/enroll?sponsor={code}")})
    assert weak.status_code == 400 and "bank account" in weak.text


def test_shop_search_is_public_and_not_injectable(harness):
    grow(harness.app, harness.events)
    client = harness.client()
    assert "Vital Tea" in client.get("/shop", params={"q": "tea"}).text
    for payload in ("' OR '1'='1", "tea' UNION SELECT 1,2,3--", "%", "tea'; DROP TABLE biz_products;--"):
        page = client.get("/shop", params={"q": payload})
        assert page.status_code == 200 and "Vital Tea" not in page.text
    assert "Vital Tea" in client.get("/shop", params={"q": "TEA"}).text
    assert "Vital Tea" in client.get("/shop/promo").text


PROBES = [  # (method, path template); {d} a distributor, {o} an order, {p} a payout, {c} a contact
    ("GET", "/distributors/{d}"), ("GET", "/genealogy?root={d}"), ("GET", "/orders?distributor={d}"),
    ("GET", "/orders/{o}"), ("POST", "/orders/{o}/refund"), ("GET", "/wallet?distributor={d}"),
    ("GET", "/statements/{d}"), ("GET", "/payouts/{p}"), ("GET", "/crm/contacts?owner={d}"),
    ("GET", "/crm/contacts/{c}"), ("POST", "/crm/contacts/{c}/notes"), ("GET", "/genealogy?id={d}"),
]


@pytest.mark.parametrize("viewer, others", [("amy", ["bob", "bob1"]), ("bob1", ["amy", "amy1", "bob"]),
                                            ("amy1", ["amy", "bob"])])
def test_probe_other_distributors_data_is_refused_and_audited(harness, viewer, others):
    ids = grow(harness.app, harness.events)
    client = harness.client()
    assert login(client, viewer).status_code == 303
    token = csrf(client, "/crm/contacts")
    for target in others:
        values = {"d": ids[target], "o": ids[f"{target}.order"], "c": ids[f"{target}.contact"], "p": "PBOB0001"}
        for method, template in PROBES:
            if "{p}" in template and target != "bob":
                continue
            path = template.format(**values)
            before = len(harness.find("mlm.audit", "access_denied"))
            response = client.request(method, path, data={"csrf_token": token, "body": "x"} if method == "POST" else None)
            assert response.status_code == 404, (path, response.status_code)
            assert f"Secret-{target}" not in response.text and f"Lead-of-{target}" not in response.text
            denied = harness.find("mlm.audit", "access_denied")[before:]
            assert len(denied) == 1, path
            assert denied[0]["mlm"]["target"]["id"] == ids[target] and denied[0]["user"]["id"] == ids[viewer]
            assert denied[0]["url"]["path"] == path.split("?")[0]
    for path in ("/admin/reports", "/admin/payouts", "/admin/commissions"):
        before = len(harness.find("mlm.audit", "access_denied"))
        assert client.get(path).status_code == 403
        assert len(harness.find("mlm.audit", "access_denied")) == before + 1


def test_own_and_downline_pages_work(harness):
    ids = grow(harness.app, harness.events)
    client = harness.client()
    assert login(client, "amy").status_code == 303
    assert "Secret-amy1" in client.get(f"/distributors/{ids['amy1']}").text
    assert ids["amy1"] in client.get("/genealogy").text
    assert ids["amy1.order"] in client.get(f"/orders?distributor={ids['amy1']}").text
    assert "Lead-of-amy" in client.get("/crm/contacts").text
    token = csrf(client, "/crm/contacts")
    added = client.post("/crm/contacts", data={"csrf_token": token, "name": "New Lead", "stage": "lead"})
    assert added.status_code == 303 and "New Lead" in client.get(added.headers["location"]).text
    refund = client.post(f"/orders/{ids['amy.order']}/refund", data={"csrf_token": token})
    assert refund.status_code == 303 and harness.find("mlm.commerce", "order_refunded")
    assert not harness.find("mlm.audit", "access_denied")
    assert client.post("/distributors/me/kyc", data={"csrf_token": token}).status_code == 303
    saved = client.post("/distributors/me/profile", data={"csrf_token": token, "display_name": "<b>Amy</b>",
                                                          "country": "nl"})
    page = client.get(saved.headers["location"]).text
    assert "&lt;b&gt;Amy&lt;/b&gt;" in page and "NL" in page and "pending" in page
    statement = client.get("/commissions")
    assert statement.status_code == 303 and client.get(statement.headers["location"]).status_code == 200
    huge = "9" * 30
    assert client.get(f"/crm/contacts/{huge}").status_code == 404
    assert client.post("/orders", data={"csrf_token": token, "product_id": huge}).status_code == 422
    assert client.get("/genealogy?page=-5").status_code == 200
    assert client.get("/statements/" + ids["amy"] + "?period=2026-13").status_code == 422
