"""Flask-AppBuilder strings that FAB's own Spanish catalog leaves untranslated or gets wrong.

Nothing imports this module: it exists so that `pybabel extract` (see babel.cfg) puts these
msgids in app/translations/messages.pot, and app/translations/es/LC_MESSAGES/messages.po
translates them. Flask-Babel merges FAB's catalog first and ours after it, so ours wins for
these ids only; every other FAB string keeps FAB's Spanish. English needs nothing: these
msgids are English already. `make translations` (scripts/translations.py) treats every msgid
found here as FAB's: English copies it, Spanish starts from FAB's own translation.
"""
from flask_babel import lazy_gettext as _l

FAB_STRINGS_FOR_SPANISH = (
    # untranslated in FAB's es catalog; seen on every list, show and edit page
    _l("Add"),
    _l("Edit"),
    _l("Show"),
    _l("Delete"),
    _l("Detail"),
    _l("Are you sure you want to delete this item?"),
    _l("User confirmation needed"),
    _l("Select Value"),
    _l("Not a valid choice"),
    _l("Database Error"),
    _l("Start with"),
    _l("Contains (insensitive)"),
    _l("In"),
    _l("Not In"),
    # FAB's security pages (Admin)
    _l("List Groups"),
    _l("Groups"),
    _l("Show Group"),
    _l("Add Group"),
    _l("Edit Group"),
    _l("Either select a role or a group"),
    _l("Edit User Information"),
    _l("User information changed"),
    _l("User(s) exists in the role, cannot delete"),
    _l("User(s) exists in the group, cannot delete"),
    # wrong in FAB's es catalog: the login button said "Registrarse" (sign up), a typo
    _l("Sign In"),
    _l("Not Ends with"),
)
