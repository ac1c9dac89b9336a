"""Browser, issue 29 · 8: every form marks its required fields from the declaration the server
validates with. One form per module: the page is read as a user sees it (the fields marked
`aria-required`, each with the visible mark beside its label), every field is emptied, the form
is sent, and the fields the server's refusal names (errors beside their fields) must be exactly
the marked fields that were sent empty (a select with no empty choice can't be sent empty)."""
from __future__ import annotations

from app.calibration.certificates import services as certificate_services
from app.calibration.instruments import services as instrument_services
from app.calibration.instruments.models import Instrument
from app.core.identity import acting_as
from app.core.storage import FilesystemStorage
from app.core.tenancy import company_scope
from tests.calibration.conftest import LAB, ROLE_CODES, fab_role
from tests.calibration.conftest import World as CalibrationWorld
from tests.certification.conftest import build_world as certification_world
from tests.installation.conftest import build_world as installation_world
from tests.packaging.conftest import build_world as packaging_world

FIELDS = ("input[name]:not([type=hidden]):not([type=submit])", "select[name]", "textarea[name]")


def fields(scope: str) -> str:
    """The form fields under `scope` (a CSS selector)."""
    return ", ".join(f"{scope} {kind}" for kind in FIELDS)


def marked(page, form: str) -> set[str]:
    """The fields of `form` marked required, after checking each shows the visible mark beside
    its label (a field without a label of its own says so in its aria-label)."""
    names = set()
    for field in page.locator(f"{form} [aria-required=true]").all():
        name, fid = field.get_attribute("name"), field.get_attribute("id")
        label = page.locator(f"label[for='{fid}']") if fid else None
        if label is not None and label.count():
            assert label.locator(".required-mark").count() == 1, f"{name}: no visible mark beside «{label.inner_text()}»"
        names.add(name)
    return names


def empty_and_send(page, form: str) -> set[str]:
    """Empty every field of `form` a user can empty, send it; the names sent empty."""
    empty = set()
    for field in page.locator(fields(form)).all():
        if not field.is_enabled():
            continue
        kind = field.get_attribute("type") or ""
        if kind in ("checkbox", "radio"):
            continue
        if kind == "file":
            empty.add(field.get_attribute("name"))
            continue
        try:
            field.fill("")
        except Exception:  # a select: its empty choice, when it has one
            if field.locator("option[value='']").count():
                field.select_option("")
        if field.input_value() == "":
            empty.add(field.get_attribute("name"))
    page.click(f"{form} [type=submit]")
    page.wait_for_load_state("networkidle")
    return empty


def refused(page, form: str) -> set[str]:
    """The fields the server's answer names: the fields inside an error group and the errors
    that say their field."""
    names = {f.get_attribute("name") for f in page.locator(fields(f"{form} .has-error")).all()}
    names |= {e.get_attribute("data-field") for e in page.locator(f"{form} .field-error[data-field]").all()}
    return names - {None}


def check_form(page, url: str, form: str) -> set[str]:
    page.goto(url)
    page.wait_for_selector(form)
    marks = marked(page, form)
    assert marks, f"{url}: no field marked"
    sent_empty = empty_and_send(page, form)
    page.wait_for_selector(form)
    assert refused(page, form) == marks & sent_empty, (marks, sent_empty)
    return marks


def test_calibration_result_form_marks_what_the_server_requires(page, live_server, login_page, session,
                                                                make_company, make_user, tmp_path, app):
    """Issue 29 · 8 (calibration): the result form marks magnitude, nominal, reading, U and unit."""
    app.config["FILES_DIR"] = str(tmp_path)
    company, other = make_company(name="Marcas Norte"), make_company(name="Marcas Sur")
    w = CalibrationWorld(session=session, company=company, other=other, storage=FilesystemStorage(str(tmp_path)))
    for code in ROLE_CODES:
        w.users[code] = make_user(roles=[fab_role(code)], companies=[company], username=f"marks_{code.lower()}")
    with company_scope(company.id):
        w.instrument = Instrument(tag="MAN-900", description="Manómetro", unit="bar", interval_days=365, active=True)
        session.add(w.instrument)
        session.commit()
        with acting_as(w.users["SUPERVISOR"]):
            certificate_services.save_settings(session, company=company, user=w.users["SUPERVISOR"], values=LAB)
            session.commit()
    w.run(instrument_services.validate_instrument, user=w.users["CLIENTE"], instrument=w.instrument)
    order = w.create()
    w.schedule(order)
    w.act(order, "START", w.users["TECNICO"])
    login_page(page, "marks_tecnico")
    marks = check_form(page, f"{live_server}/calibracion/orden/{order.id}", "#result-form")
    assert marks == {"measurand", "nominal", "as_found", "uncertainty", "unit"}


def test_certification_inspection_form_marks_what_the_server_requires(page, live_server, login_page, session,
                                                                      make_company, make_user):
    """Issue 29 · 8 (certification): the registration form (CERT-INS-1, CERT-INS-2)."""
    w = certification_world(session, make_company, make_user, country_code="ES", subdivision="MD")
    login_page(page, w.user.username)
    marks = check_form(page, f"{live_server}/certificaciones/inspecciones/registrar", "#inspection-form")
    assert {"assignment", "audit_type", "auditor", "date", "pieces"} <= marks and "operator" not in marks


def test_installation_order_form_marks_what_the_server_requires(page, live_server, login_page, session,
                                                               make_company, make_user):
    """Issue 29 · 8 (installation): the new order's form (INST-001) marks doctor, address and date."""
    installation_world(session, make_company, make_user)
    login_page(page, "gestor_operaciones")
    marks = check_form(page, f"{live_server}/instalacion/orden/nueva", "#new-order-form")
    assert {"doctor", "address", "scheduled_for"} <= marks


def test_packaging_ot_form_marks_what_the_server_requires(page, live_server, login_page, session,
                                                         make_company, make_user):
    """Issue 29 · 8 (packaging): the new OT's form marks client, description and request type."""
    packaging_world(session, make_company, make_user)
    login_page(page, "vendedor")
    marks = check_form(page, f"{live_server}/envases/ots/nueva", "#ot-form")
    assert marks == {"client", "description", "request_type"}



def test_packaging_management_form_marks_follow_the_type(page, live_server, login_page, session,
                                                         make_company, make_user):
    """Issue 29 · 8 (packaging): the «Nueva gestión» form requires a different field per type
    (cat.ENTRY_REQUIRED, read by the command): choosing a type moves the mark, and the refusal
    of the empty form names exactly the field marked for that type."""
    from app.packaging.catalogs import queries as cat

    w = packaging_world(session, make_company, make_user)
    ot = w.ot(2, approved=True)
    login_page(page, "admin_env")
    url = f"{live_server}/envases/ots/{ot.id}"
    page.goto(url)
    offered = {int(o.get_attribute("value")) for o in page.locator("#management_type option").all()}
    tried = 0
    for type_id, needed in cat.ENTRY_REQUIRED.items():
        if type_id not in offered or "file" in needed:
            continue
        page.goto(url)
        page.select_option("#management_type", str(type_id))
        assert marked(page, "#management-form") == set(needed)
        for name in needed:
            assert page.locator(f"label[for='{name}'] .required-mark").is_visible()
        sent_empty = {"note", "provider", "state"} & set(needed)
        for name in sent_empty:
            field = page.locator(f"#management-form [name={name}]")
            field.select_option("") if name == "state" else field.fill("")
        page.click("#management-form [type=submit]")
        page.wait_for_load_state("networkidle")
        assert refused(page, "#management-form") == set(needed), type_id
        tried += 1
    assert tried >= 2, offered
