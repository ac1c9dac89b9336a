"""Files received by a request (issue 19): one limit, the MAX_UPLOAD_BYTES setting, for every
page and REST endpoint that accepts a file; the declared Content-Length is checked before a
byte of the body is read; the file is handed on as werkzeug's spooled file (on disk past
500 KB) and read in chunks from then on (app/core/storage.py), never whole into memory.

- `@accepts_upload` marks a page or API method that takes a file;
- `limit_request_body` (a url_value_preprocessor: it runs before every before_request, some
  of which parse the body) gives a marked endpoint MAX_UPLOAD_BYTES plus the form's own
  overhead instead of MAX_CONTENT_LENGTH, and refuses with 413 any request whose declared
  Content-Length is over its endpoint's limit (JSON {"message"} on /api/, a page elsewhere);
- `received_file(field)` is `request.files.get(field)` for a body without Content-Length
  (chunked) that turns out too large: a 413 naming the limit, not the 500 that FAB's @safe
  makes of werkzeug's own exception.
"""
from __future__ import annotations

from flask import current_app, request
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge

from app.core.errors import HTTP_MESSAGES, TooLarge
from app.core.storage import too_large, upload_limit

FORM_OVERHEAD = 1024 * 1024  # the multipart boundaries and the form's other fields


def accepts_upload(method):
    """Mark a view or API method as one that receives a file (any decorator order: FAB's and
    ours copy the function's attributes)."""
    method.accepts_upload = True
    return method


def _accepts(endpoint: str | None) -> bool:
    view = current_app.view_functions.get(endpoint) if endpoint else None
    return bool(getattr(view, "accepts_upload", False))


def limit_request_body(endpoint, values) -> None:
    """url_value_preprocessor (see the module docstring)."""
    accepts = _accepts(request.endpoint)
    if accepts:
        request.max_content_length = upload_limit() + FORM_OVERHEAD
    limit, declared = request.max_content_length, request.content_length
    if limit is not None and declared is not None and declared > limit:
        if accepts:
            raise too_large(None, upload_limit())
        raise TooLarge(str(HTTP_MESSAGES[413]))


def received_file(field: str = "file") -> FileStorage | None:
    """The request's file `field` (None when absent), parsed as werkzeug streams it to disk."""
    try:
        return request.files.get(field)
    except RequestEntityTooLarge:
        raise too_large(None, upload_limit(), field=field) from None


def register(app) -> None:
    app.url_value_preprocessor(limit_request_body)
