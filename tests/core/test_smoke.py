def test_login_page_in_spanish(client):
    r = client.get("/login/")
    assert r.status_code == 200
    assert "Contraseña" in r.get_data(as_text=True) or "Password" in r.get_data(as_text=True)


def test_api_days_off_isolated(make_company, make_user, api):
    a, b = make_company(), make_company()
    ua = make_user(roles=["Admin"], companies=[a])
    r = api(ua, a).post("/api/v1/non_working_day/", json={"date": "2026-12-07", "description": "Puente"})
    assert r.status_code == 201, r.get_json()
    pk = r.get_json()["id"]
    r = api(ua, b).get(f"/api/v1/non_working_day/{pk}")
    assert r.status_code == 404
    r = api(ua, a).get(f"/api/v1/non_working_day/{pk}")
    assert r.status_code == 200
