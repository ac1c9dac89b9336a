"""Issue 19, point 7, on the history import (`flask certification import FILE.xlsx`): a zip
bomb is refused naming the file before openpyxl decompresses anything, in bounded memory."""
from __future__ import annotations

import tracemalloc

from tests.zip_bomb import zip_bomb


def test_hardening_19_7_the_history_import_refuses_a_zip_bomb_naming_the_file(world, runner, tmp_path):
    path = tmp_path / "historia.xlsx"
    path.write_bytes(zip_bomb())
    tracemalloc.start()
    try:
        r = runner.invoke(args=["certification", "import", str(path), "--company", world.company.name])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert r.exit_code == 1, r.output
    assert "«historia.xlsx» es un comprimido que se expande demasiado" in r.output
    assert peak < 50 * 1024 * 1024, f"{peak / 1048576:.0f} MB"
    not_a_zip = tmp_path / "falsa.xlsx"
    not_a_zip.write_bytes(b"tipo;fecha\n")
    r = runner.invoke(args=["certification", "import", str(not_a_zip), "--company", world.company.name])
    assert r.exit_code == 1 and "«falsa.xlsx» no es un .xlsx válido" in r.output
