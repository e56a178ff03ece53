"""What the simulator sends (`/genealogy?id=`, `POST /orders product=SKU&qty=N`) under the same checks."""

from bizhttp import grow
from mlmapp_helpers import csrf, login


def test_genealogy_id_alias_shows_a_downline_member(harness):
    ids = grow(harness.app, harness.events)
    client = harness.client()
    assert login(client, "bob").status_code == 303
    page = client.get(f"/genealogy?id={ids['bob1']}")
    assert page.status_code == 200 and ids["bob1"] in page.text
    assert ids["bob1"] in client.get(f"/genealogy?id={ids['bob']}").text
    for hostile in ("' OR '1'='1", "D000001/../", "x" * 5000):
        assert client.get("/genealogy", params={"id": hostile}).status_code == 404


def test_orders_by_sku_and_qty_keep_the_form_rules(harness):
    grow(harness.app, harness.events)
    client = harness.client()
    assert login(client, "amy").status_code == 303
    token = csrf(client, "/shop")
    placed = client.post("/orders", data={"csrf_token": token, "product": "TEA1", "qty": "2"})
    assert placed.status_code == 303
    assert "60.00" in client.get(placed.headers["location"]).text
    event = harness.find("mlm.commerce", "order_placed")[-1]
    assert event["mlm"]["order"]["amount"] == 60.0 and event["mlm"]["order"]["items"] == 2
    count = len(harness.find("mlm.commerce", "order_placed"))
    for bad in ({"product": "P12", "qty": "1"}, {"product": "' OR 1=1--"}, {"product": "TEA1", "qty": "0"},
                {"product": "TEA1", "qty": "many"}, {}, {"product": "T" * 40}):
        refused = client.post("/orders", data={"csrf_token": token, **bad})
        assert refused.status_code == 422, (bad, refused.status_code)
    assert client.post("/orders", data={"product": "TEA1", "qty": "1"}).status_code == 403  # no CSRF token
    assert len(harness.find("mlm.commerce", "order_placed")) == count
