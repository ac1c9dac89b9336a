"""Issue 10 REST API of instruments: the client validates an instrument's reception."""
from __future__ import annotations


def test_the_client_validates_an_instrument_reception(world, api):
    resp = api(world.users["RESPONSABLE"], world.company)
    assert resp.post(f"/api/v1/instrument/{world.instrument.id}/validate").status_code == 403
    client = api(world.users["CLIENTE"], world.company)
    r = client.post(f"/api/v1/instrument/{world.instrument.id}/validate")
    assert r.status_code == 200 and r.get_json()["validated_by"] == "cal_cliente"
    assert api(world.users["SUR_CLIENTE"], world.other).post(
        f"/api/v1/instrument/{world.instrument.id}/validate").status_code == 404
