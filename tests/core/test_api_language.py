"""Issue 29 item 6: the REST API answers its column labels in the caller's language
(Accept-Language), from the pages' labels or seed/labels.yaml, never FAB's English made from
a column's name («Instrument Id»); one resource per module, its list and its _info."""
from __future__ import annotations

import pytest

from app.core.api_language import unlabelled_columns
from tests import factories

CASES = [  # resource, a column its list labels, a column its _info labels (where it serves _info): (es, en)
    ("installation_order", ("address", "Dirección", "Address"), None),
    ("calibration_order", ("instrument_id", "Instrumento", "Instrument"), None),
    ("certification_assignment", ("operator.id", "Operario", "Operator"), ("certification", "Certificación", "Certification")),
    ("packaging_profile", ("area_id", "Área", "Area"), None),
]


@pytest.fixture
def admin_api(client):
    company = factories.make_company()
    admin = factories.make_user(roles=["Admin"], companies=[company], username="lang_29")
    return factories.ApiClient(client, admin, company)


@pytest.mark.parametrize("resource, listed, informed", CASES, ids=[c[0] for c in CASES])
def test_issue_29_6_labels_in_the_callers_language(admin_api, resource, listed, informed):
    for language, index in (("es", 1), ("en", 2)):
        headers = {"Accept-Language": language}
        column = listed[0]
        labels = admin_api.get(f"/api/v1/{resource}/", headers=headers).get_json()["label_columns"]
        assert labels[column] == listed[index], (language, labels)
        if informed:
            info = admin_api.get(f"/api/v1/{resource}/_info", headers=headers)
            fields = {f["name"]: f["label"] for f in info.get_json()["add_columns"]}
            assert fields[informed[0]] == informed[index], (language, fields)


def test_issue_29_6_every_column_our_api_answers_has_a_label(app):
    assert unlabelled_columns(app.appbuilder) == []
