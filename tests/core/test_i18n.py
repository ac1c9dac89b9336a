"""i18n (issue 2, part 10): Spanish by default, English selectable through FAB's LocaleView
(/lang/<code>); the platform's own strings have English translations, compiled."""
from __future__ import annotations

import gettext
import os
import re

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from config import BASE_DIR

TRANSLATIONS = os.path.join(BASE_DIR, "app", "translations")
PO = os.path.join(TRANSLATIONS, "{}", "LC_MESSAGES", "messages.po")
MO = os.path.join(TRANSLATIONS, "{}", "LC_MESSAGES", "messages.mo")
# The platform's own files (modules translate their own strings in the same catalog).


def text_of(response) -> str:
    html = response.get_data(as_text=True)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def admin_client(client, make_user, make_company, login):
    company = make_company(name="Empresa Uno")
    make_user(roles=["Admin"], companies=[company], username="idioma")
    login("idioma")
    return client


# --- configuration ------------------------------------------------------------------------

def test_spanish_is_the_default_and_our_catalog_follows_fabs(app):
    import flask_appbuilder

    assert app.config["BABEL_DEFAULT_LOCALE"] == "es"
    assert set(app.config["LANGUAGES"]) == {"es", "en"}
    dirs = app.config["BABEL_TRANSLATION_DIRECTORIES"].split(";")
    fab_dir = os.path.join(os.path.dirname(flask_appbuilder.__file__), "translations")
    assert os.path.normpath(dirs[0]) == os.path.normpath(fab_dir)  # FAB prepends its own...
    assert os.path.normpath(dirs[-1]) == os.path.normpath(TRANSLATIONS)  # ...ours come last and win


@pytest.mark.parametrize("lang", ["en", "es"])
def test_compiled_catalogs_match_their_sources(lang):
    """The .mo served is the compiled .po (`pybabel compile -d app/translations`)."""
    with open(PO.format(lang), "rb") as fh:
        po = {m.id: m.string for m in read_po(fh) if m.id and m.string and not m.fuzzy}
    with open(MO.format(lang), "rb") as fh:
        mo = gettext.GNUTranslations(fh)
    assert po, f"{lang} catalog is empty"
    for msgid, msgstr in po.items():
        assert mo.gettext(msgid) == msgstr, f"{lang}: {msgid!r} not compiled; run pybabel compile"


def used_msgids() -> set[str]:
    """Every string the code and templates mark for translation, extracted as babel.cfg says."""
    found = set()
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        os.path.join(BASE_DIR, "app"), method_map,
        keywords={"_": None, "gettext": None, "lazy_gettext": None, "_l": None, "ngettext": (1, 2)},
    ):
        found.add(message if isinstance(message, str) else message[0])
    import importlib.util

    spec = importlib.util.spec_from_file_location("translations_script", os.path.join(BASE_DIR, "scripts", "translations.py"))
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    for labels in script.workflow_labels().values():  # data shown on screen, translated with |t
        found.update(labels)
    return found


@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_string_in_use_has_an_entry_in_both_catalogues(lang):
    """Issue 9, item 2: no string of the code or templates missing or empty in either catalogue."""
    found = used_msgids()
    with open(PO.format(lang), "rb") as fh:
        catalog = {m.id: m.string for m in read_po(fh) if m.id and not m.fuzzy}
    assert "Auditoría" in found and "Volver al inicio" in found and "Certificaciones" in found
    missing = sorted(m for m in found if not catalog.get(m))
    assert not missing, (
        f"{len(missing)} msgid(s) missing or empty in app/translations/{lang}/LC_MESSAGES/messages.po; "
        "run `make translations`, fill them in, run it again:\n" + "\n".join(map(repr, missing))
    )


def test_fab_strings_we_fix_are_spanish():
    """FAB's es catalogue has typos and gaps; ours wins (issue 9, item 1)."""
    with open(PO.format("es"), "rb") as fh:
        spanish = {m.id: m.string for m in read_po(fh) if m.id}
    assert spanish["Not Ends with"] == "No termina con"
    assert spanish["Sign In"] == "Entrar" and spanish["Logout"] == "Salir"


# --- pages --------------------------------------------------------------------------------

def test_login_page_is_spanish_by_default(client):
    page = text_of(client.get("/login/"))
    assert "Contraseña" in page and "Usuario" in page
    assert "Entrar" in page  # FAB's es catalog says "Registrarse" (sign up); ours fixes it
    assert "Registrarse" not in page and "Password" not in page


def test_home_page_is_spanish_by_default(admin_client):
    page = text_of(admin_client.get("/"))
    for spanish in ("Auditoría", "Empresas", "Plataforma", "Días no laborables", "Empresa activa",
                    "Back office de operaciones", "Seguridad", "Salir"):
        assert spanish in page, spanish
    for english in ("Audit ", "Companies", "Platform", "Logout", "Active company"):
        assert english not in page, english


def test_list_page_buttons_are_spanish(admin_client):
    page = text_of(admin_client.get("/companyview/list/"))
    assert "Contador de registros" in page or "Buscar" in page  # FAB's own es strings
    html = admin_client.get("/companyview/list/").get_data(as_text=True)
    assert "Añadir" in html and ">Add<" not in html and '"Add"' not in html


def test_english_after_choosing_it(admin_client):
    r = admin_client.post("/lang/en")
    assert r.status_code == 302
    page = text_of(admin_client.get("/"))
    for english in ("Audit", "Companies", "Platform", "Days off", "Workflows", "Active company",
                    "Operations back office", "Security", "Logout"):
        assert english in page, english
    for spanish in ("Auditoría", "Empresas", "Plataforma", "Empresa activa", "Salir"):
        assert spanish not in page, spanish

    admin_client.post("/lang/es")
    page = text_of(admin_client.get("/"))
    assert "Auditoría" in page and "Audit " not in page


def test_login_page_in_english_after_choosing_it(client):
    client.post("/lang/en")
    page = text_of(client.get("/login/"))
    assert "Password" in page and "Sign In" in page
    assert "Contraseña" not in page


def test_error_pages_follow_the_language(client):
    assert "No existe o no está en la empresa activa." in text_of(client.get("/no-existe"))
    client.post("/lang/en")
    r = client.get("/no-existe")
    assert r.status_code == 404
    page = text_of(r)
    assert "It does not exist or is not in the active company." in page and "Back to the home page" in page


def test_api_messages_are_spanish_unless_english_is_asked(client):
    assert client.get("/api/v1/nada").get_json()["message"] == "No existe o no está en la empresa activa."
    r = client.get("/api/v1/nada?_l_=en")  # FAB's locale argument for API calls
    assert r.get_json()["message"] == "It does not exist or is not in the active company."
    r = client.get("/api/v1/non_working_day/")
    assert r.status_code == 401 and r.get_json()["message"].startswith("Falta el token")


def test_unknown_language_falls_back_to_spanish(client):
    client.post("/lang/xx")
    assert "Contraseña" in text_of(client.get("/login/"))


def test_fab_pages_have_titles_and_dialogs_in_the_users_language(admin_client):
    """Issue 9, item 1: no "List Company"/"Add Company"/"Cancel"; the date picker in Spanish,
    weeks starting on Monday."""
    html = admin_client.get("/companyview/list/").get_data(as_text=True)
    assert "List Company" not in html and "Empresas" in html
    assert ">Cancel<" not in html and "Cancelar" in html
    assert 'defaults.language = "es"' in html and "weekStart = 1" in html
    add = text_of(admin_client.get("/companyview/add"))
    assert "Empresas · Añadir" in add and "Add Company" not in add
    admin_client.post("/lang/en")
    html = admin_client.get("/companyview/list/").get_data(as_text=True)
    assert "Companies" in html and "Empresas" not in html and "Cancel" in html
    assert 'defaults.language = "en"' in html


def test_module_menus_follow_the_language(admin_client):
    admin_client.post("/lang/en")
    page = text_of(admin_client.get("/"))
    for english in ("Certifications", "Installation", "Operators", "Installation orders"):
        assert english in page, english
    for spanish in ("Certificaciones", "Instalación", "Operarios"):
        assert spanish not in page, spanish


def test_api_info_descriptions_carry_no_catalogue_header(api, make_company, make_user):
    """Issue 9, item 3: gettext("") is the catalogue's metadata; an undescribed field has ""."""
    company = make_company(name="Empresa Uno")
    admin = make_user(roles=["Admin"], companies=[company], username="info")
    for lang in ("", "?_l_=en"):
        info = api(admin, company).get(f"/api/v1/company/_info{lang}").get_json()
        descriptions = [f["description"] for f in info["add_columns"]]
        assert descriptions and not any("Project-Id-Version" in d or "Content-Type" in d for d in descriptions)
