"""Fill empty entries of one catalogue from a Python dict file: `python scripts/fill_catalog.py
en FILE.py` where FILE.py defines EN = {msgid: msgstr} (or ES). A translator's shortcut for
the gaps `make translations` lists; it never overwrites an entry already filled."""
import os
import runpy
import sys

from babel.messages.pofile import read_po, write_po

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main(lang: str, source: str) -> None:
    table = runpy.run_path(source)[lang.upper()]
    path = os.path.join(ROOT, "app", "translations", lang, "LC_MESSAGES", "messages.po")
    with open(path, "rb") as fh:
        catalog = read_po(fh, locale=lang)
    filled = 0
    for message in catalog:
        if message.id and not message.string and message.id in table:
            message.string = table[message.id]
            filled += 1
    with open(path, "wb") as fh:
        write_po(fh, catalog, width=0, sort_by_file=True)
    print(f"{lang}: {filled} filled")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
