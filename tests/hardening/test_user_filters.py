"""Issue 8, finding 8: the audit list's "Usuario" filter and the audit API's _info offer only
the users of the active company."""
from __future__ import annotations

import json


def test_audit_filter_and_info_offer_only_the_active_companys_users(make_user, make_company, login, client, api):
    north, south = make_company(name="Norte"), make_company(name="Sur")
    admin = make_user(roles=["Admin"], companies=[north], username="admin_norte")
    make_user(roles=["AUDITOR"], companies=[north], username="auditora_norte")
    make_user(roles=["AUDITOR"], companies=[south], username="auditor_sur")
    login("admin_norte")
    page = client.get("/auditview/list/").get_data(as_text=True)
    assert "Auditora_Norte Prueba" in page and "Auditor_Sur Prueba" not in page
    info = api(admin, north).get("/api/v1/audit_entry/_info").get_json()
    offered = json.dumps(info, ensure_ascii=False)
    assert "Auditora_Norte Prueba" in offered and "Auditor_Sur Prueba" not in offered
