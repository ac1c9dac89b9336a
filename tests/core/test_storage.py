"""Uploads (issue 10 part 4): content sniffed, 20 MB at most, SHA-256; files by company."""
from __future__ import annotations

import hashlib
import io
import os
import zipfile

import pytest
from PIL import Image

from app.core.errors import NotFound, ValidationError
from app.core.storage import FilesystemStorage, check_upload, get_storage

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00" + b"\x00" * 200


def image(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format=fmt)
    return buffer.getvalue()


def pdf() -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    c = canvas.Canvas(buffer)
    c.drawString(100, 700, "Informe")
    c.save()
    return buffer.getvalue()


def xlsx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", (
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/></Types>'))
        z.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("programa.txt", "hola")
    return buffer.getvalue()


@pytest.mark.parametrize("name, data, content_type", [
    ("certificado.pdf", pdf(), "application/pdf"),
    ("foto.PNG", image("PNG"), "image/png"),
    ("foto.jpeg", image("JPEG"), "image/jpeg"),
    ("lecturas.csv", "punto;nominal;lectura\n1;10,0;10,02\nmedición;ñ;°C\n".encode("utf-8"), "text/csv"),
    ("lecturas-latin1.csv", "punto;temperatura\n1;20 °C\n".encode("latin-1"), "text/csv"),
    ("resultados.xlsx", xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
])
def test_genuine_files_are_accepted_with_their_sha256(name, data, content_type):
    checked = check_upload(name, data)
    assert checked.content_type == content_type
    assert checked.sha256 == hashlib.sha256(data).hexdigest()
    assert checked.size == len(data) and checked.filename == name


@pytest.mark.parametrize("name, data", [
    ("informe.pdf", EXE),            # a renamed .exe
    ("foto.png", EXE),
    ("lecturas.csv", EXE),           # binary with NUL bytes is not text
    ("resultados.xlsx", plain_zip()),  # a zip, but not a workbook
    ("foto.jpg", image("PNG")),      # a PNG named .jpg
])
def test_content_that_does_not_match_the_name_is_refused_naming_the_file(name, data):
    with pytest.raises(ValidationError) as info:
        check_upload(name, data)
    assert info.value.field == "file"
    assert f"«{name}»" in info.value.message and "no es un" in info.value.message


def test_types_not_allowed_too_big_and_empty_are_refused_with_a_clear_message():
    with pytest.raises(ValidationError) as info:
        check_upload("setup.exe", EXE)
    assert "«setup.exe» no es de un tipo admitido (pdf, png, jpg, csv, xlsx)" in info.value.message
    with pytest.raises(ValidationError) as info:
        check_upload("grande.pdf", pdf() + b"0" * (20 * 1024 * 1024))
    assert "«grande.pdf» ocupa 20.0 MB; el máximo es 20 MB" in info.value.message
    with pytest.raises(ValidationError) as info:
        check_upload("vacio.csv", b"")
    assert "«vacio.csv» está vacío" in info.value.message
    with pytest.raises(ValidationError):
        check_upload("solo.pdf", pdf(), allowed=("png",))
    # the exact limit passes
    data = pdf()
    assert check_upload("justo.pdf", data, max_bytes=len(data)).size == len(data)


def test_a_path_in_the_name_is_reduced_to_the_file_name():
    assert check_upload("../../etc/datos.csv", b"a;b\n").filename == "datos.csv"
    assert check_upload("C:\\Users\\x\\datos.csv", b"a;b\n").filename == "datos.csv"


def test_storage_saves_under_the_company_folder_and_reads_back(tmp_path):
    storage = FilesystemStorage(str(tmp_path))
    key = storage.save(7, "certificado.pdf", b"%PDF-contenido")
    assert key.endswith(".pdf") and "/" not in key
    assert os.path.exists(tmp_path / "7" / key)
    assert storage.open(7, key) == b"%PDF-contenido"
    other = storage.save(7, "certificado.pdf", b"%PDF-otro")
    assert other != key and storage.open(7, key) == b"%PDF-contenido"  # never overwritten
    storage.delete(7, key)
    with pytest.raises(NotFound):
        storage.open(7, key)


def test_a_key_never_opens_another_companys_file(tmp_path):
    storage = FilesystemStorage(str(tmp_path))
    key = storage.save(1, "secreto.csv", b"a;b\n")
    with pytest.raises(NotFound) as info:
        storage.open(2, key)
    assert "no existe o no está en la empresa activa" in info.value.message
    for forged in (f"../1/{key}", f"1/{key}", "..", f"..%2f1%2f{key}", key.upper(), "", f"{key}/",
                   os.path.join(str(tmp_path), "1", key)):
        with pytest.raises(NotFound):
            storage.open(2, forged)


def test_the_default_storage_lives_in_the_instance_folder(app):
    app.config["FILES_DIR"], before = None, app.config["FILES_DIR"]
    try:
        assert get_storage(app).root == os.path.join(app.instance_path, "files")
    finally:
        app.config["FILES_DIR"] = before
