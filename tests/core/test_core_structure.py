"""Issue 7 items 6-7: core pieces have one home each. Identity helpers live in
app/core/identity.py (security and tenancy do not import each other), error handlers in
app/core/errors.py, seed YAML is read by one loader."""
from __future__ import annotations

import ast
import pathlib

APP = pathlib.Path(__file__).resolve().parents[2] / "app"


def imported_modules(path: pathlib.Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return found


def test_security_and_tenancy_do_not_import_each_other():
    """Security reads the user's companies from tenancy; tenancy reads roles from identity."""
    assert not [m for m in imported_modules(APP / "core" / "tenancy.py") if m.startswith("app.core.security")]
    assert "app.core.identity.is_admin" in imported_modules(APP / "core" / "tenancy.py")


def test_identity_helpers_have_one_import_path():
    """Issue 20 point 6: no re-export shims; identity's and roles' names come from there."""
    names = {"current_user", "is_admin", "role_names", "acting_as", "user_ref", "load_roles", "sync_roles"}
    offenders = sorted(str(path.relative_to(APP)) for path in APP.rglob("*.py")
                       if {f"app.core.security.{name}" for name in names} & imported_modules(path))
    assert offenders == []


def test_error_handlers_live_in_errors_py():
    from app.core import errors

    assert callable(errors.register_error_handlers)
    assert "errorhandler" not in (APP / "core" / "__init__.py").read_text(encoding="utf-8")


def test_no_file_over_400_lines_and_no_long_function_without_its_reason():
    """Issue 20: every file of app/ under 400 lines; a function over 60 lines says why in its
    docstring, in a line starting «Long:»."""
    big_files, long_functions = [], []
    for path in sorted(APP.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > 400:
            big_files.append(str(path.relative_to(APP)))
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno >= 60:
                reason = any(line.strip().startswith("Long:") for line in (ast.get_docstring(node) or "").splitlines())
                if not reason:
                    long_functions.append(f"{path.relative_to(APP)}:{node.lineno} {node.name}")
    assert big_files == [] and long_functions == []


def test_no_file_of_app_imports_a_private_name_of_another():
    """Issue 20: a name another file imports is public in the module it lives in (no leading
    underscore), so that `_name` always means «only this file uses it»."""
    offenders = sorted(f"{path.relative_to(APP)}: {node.module}.{alias.name}"
                       for path in APP.rglob("*.py")
                       for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                       if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("app")
                       for alias in node.names if alias.name.startswith("_"))
    assert offenders == []
