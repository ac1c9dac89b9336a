"""The catalogs' pages a CERT_USUARIO uses (CERT-CAT-1)."""
from __future__ import annotations

import datetime as dt

from app.certification.catalogs.models import Operator
from tests.certification.conftest import TODAY

START = TODAY - dt.timedelta(days=30)


def test_cert_cat_1_the_web_refuses_to_delete_an_operator_with_history(web):
    web.assign(START, today=TODAY)
    r = web.client.post(f"/certificaciones/operarios/delete/{web.operator.id}", follow_redirects=True)
    assert "Desactívalo" in r.get_data(as_text=True)
    assert web.get(Operator, web.operator.id) is not None
