"""Safe redirects (issue 8, finding 2): a `next` target is this site's path or an URL whose
parsed scheme, host and port are in the allowed set, never a glob over the netloc (which
`http://127.0.0.1:1@evil.example/` matched)."""
from __future__ import annotations

import unicodedata
from urllib.parse import urlencode, urlsplit

from flask import current_app, redirect, request

SCHEMES = {"http", "https"}


def _allowed(host: str, port: int | None) -> bool:
    """SAFE_REDIRECT_HOSTS entries are `host` (any port) or `host:port`; the request's own
    host:port is always allowed."""
    for entry in list(current_app.config.get("SAFE_REDIRECT_HOSTS", [])) + [request.host]:
        entry = entry.strip().lower()
        name, _, entry_port = entry.rpartition(":") if entry.count(":") == 1 else (entry, "", "")
        if name == host and (not entry_port or (port is not None and entry_port == str(port))):
            return True
    return False


def is_safe_redirect(url: str | None) -> bool:
    if not url or "\\" in url or any(unicodedata.category(ch)[0] == "C" for ch in url):
        return False  # browsers read "/\evil" as "//evil"; control characters are dropped
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    if not parts.scheme and not parts.netloc:
        return url.startswith("/") and not url.startswith("//")
    if parts.scheme.lower() not in SCHEMES or not parts.netloc:
        return False
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        return False
    host = parts.hostname or ""
    if not host.isascii():
        return False  # IDN: an allowed host is written in ASCII; a look-alike never matches
    if port is None:
        port = 443 if parts.scheme.lower() == "https" else 80
    return _allowed(host.lower(), port)


def refuse_unsafe_next():
    """before_request: a `next` argument that is not safe is dropped (302 to the same page
    without it), before FAB's own, looser check can see it."""
    target = request.args.get("next")
    if target is None or is_safe_redirect(target):
        return None
    rest = [(k, v) for k, v in request.args.items(multi=True) if k != "next"]
    return redirect(request.path + ("?" + urlencode(rest) if rest else ""))
