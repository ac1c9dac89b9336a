"""`make translations`: extract every string of app/ (code and templates, babel.cfg), update
both catalogues (es, en), fill what needs no translator and compile; then list what a person
still has to translate (issue 9, items 1-2).

Source strings are Spanish, so the Spanish catalogue copies them (msgstr = msgid). The only
English msgids are FAB's (listed in app/core/i18n.py, or used in our copies of its templates): the English catalogue copies those, and
the Spanish one takes FAB's own Spanish unless ours already has a fix. What remains empty
(English for our strings, Spanish for a FAB string FAB leaves untranslated) is printed, and
tests/core/test_i18n.py fails until it is filled in app/translations/<lang>/LC_MESSAGES/messages.po.
Run it again after filling: it only compiles and reports.
"""
from __future__ import annotations

import os
import subprocess
import sys

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRANSLATIONS = os.path.join(ROOT, "app", "translations")
POT = os.path.join(TRANSLATIONS, "messages.pot")
LANGS = ("es", "en")
FAB_MARKER = "core/i18n.py"  # where FAB's msgids we translate are listed


def catalog_path(lang: str, ext: str = "po") -> str:
    return os.path.join(TRANSLATIONS, lang, "LC_MESSAGES", f"messages.{ext}")


def fab_spanish() -> dict[str, str]:
    import flask_appbuilder

    path = os.path.join(os.path.dirname(flask_appbuilder.__file__), "translations", "es", "LC_MESSAGES", "messages.po")
    with open(path, "rb") as fh:
        return {m.id: m.string for m in read_po(fh) if isinstance(m.id, str) and m.id}


def is_fab(message, fab_es: dict) -> bool:
    """A FAB msgid (English): listed in app/core/i18n.py, or one of FAB's used in a template."""
    listed = any(filename.replace(os.sep, "/").endswith(FAB_MARKER) for filename, _line in message.locations)
    return listed or message.id in fab_es


def pybabel(*args: str) -> None:
    exe = os.path.join(os.path.dirname(sys.executable), "pybabel")
    subprocess.run([exe, "-q", *args], cwd=ROOT, check=True)


def workflow_labels() -> dict[str, list[str]]:
    """Labels of the workflow YAMLs (name, states, actions, roles, events): data shown on screen, so
    translated like code strings (the `|t` filter and Workflow.dot())."""
    import yaml

    folder = os.path.join(ROOT, "seed", "workflows")
    found = {}
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".yaml"):
            continue
        with open(os.path.join(folder, name), encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
        labels = [data.get("name")] + [s.get("label") for s in data.get("states", [])]
        labels += [spec.get(key) for spec in (data.get("actions") or {}).values() for key in ("label", "done", "confirm")]
        labels += [f.get("label") for spec in (data.get("actions") or {}).values() for f in (spec.get("payload") or {}).values()]
        labels += [spec.get("label") for spec in (data.get("roles") or {}).values()]
        labels += [spec.get("label") for spec in (data.get("events") or {}).values()]  # issue 29 · 7
        found[f"seed/workflows/{name}"] = [label for label in labels if label]
    with open(os.path.join(ROOT, "seed", "labels.yaml"), encoding="utf-8") as fh:
        found["seed/labels.yaml"] = [label for label in (yaml.safe_load(fh) or {}).values() if label]  # the API's column labels
    return found


def extract() -> None:
    pybabel("extract", "-F", "babel.cfg", "-k", "lazy_gettext", "-k", "_l", "--no-wrap",
            "--sort-by-file", "--project", "Back office", "-o", POT, "app")
    with open(POT, "rb") as fh:
        template = read_po(fh)
    for path, labels in workflow_labels().items():
        for label in labels:
            template.add(label, locations=[(path, 0)])
    with open(POT, "wb") as fh:
        write_po(fh, template, width=0, sort_by_file=True)
    for lang in LANGS:
        if os.path.exists(catalog_path(lang)):
            pybabel("update", "-i", POT, "-d", "app/translations", "-l", lang, "--no-wrap",
                    "--no-fuzzy-matching", "--ignore-obsolete")
        else:
            pybabel("init", "-i", POT, "-d", "app/translations", "-l", lang, "--no-wrap")


def fill_and_compile() -> dict[str, list[str]]:
    """Fill the copies, compile each catalogue, return the msgids still empty per language."""
    fab_es = fab_spanish()
    missing = {}
    for lang in LANGS:
        with open(catalog_path(lang), "rb") as fh:
            catalog = read_po(fh, locale=lang)
        for message in catalog:
            if not message.id:
                continue
            message.flags.discard("fuzzy")
            if message.string:
                continue
            if lang == "es" and not is_fab(message, fab_es):
                message.string = message.id
            elif lang == "en" and is_fab(message, fab_es):
                message.string = message.id
            elif lang == "es" and fab_es.get(message.id):
                message.string = fab_es[message.id]
        missing[lang] = [m.id for m in catalog if m.id and not m.string]
        with open(catalog_path(lang), "wb") as fh:
            write_po(fh, catalog, width=0, sort_by_file=True)
        with open(catalog_path(lang, "mo"), "wb") as fh:
            write_mo(fh, catalog)
    return missing


def main(argv: list[str]) -> int:
    if "--compile-only" not in argv:
        extract()
    missing = fill_and_compile()
    for lang, ids in missing.items():
        if ids:
            print(f"{lang}: {len(ids)} msgid(s) to translate in {os.path.relpath(catalog_path(lang), ROOT)}:")
            for msgid in ids:
                print(f"  {msgid!r}")
    if any(missing.values()):
        print("Fill them in, then run `make translations` again.")
        return 1
    print("Catalogues complete and compiled.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
