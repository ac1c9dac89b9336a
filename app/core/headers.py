"""Security headers on every answer (issue 8, finding 11): no framing, no MIME sniffing, a
Content-Security-Policy that only allows this site's own (vendored) files plus inline scripts
carrying the request's nonce, a strict Referrer-Policy, and HSTS in production.

FAB's templates already mark their inline scripts with `csp_nonce()` (the name flask-talisman
uses): the nonce is made here, per request. Styles allow 'unsafe-inline' because FAB's
templates and widgets write style attributes; 'wasm-unsafe-eval' lets the vendored Graphviz
(WebAssembly) draw the workflow diagrams - neither allows JavaScript's eval or another origin
(docs/decisions.md)."""
from __future__ import annotations

import secrets

from flask import current_app, g

CSP = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def add_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP.format(nonce=csp_nonce()))
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if current_app.config.get("ENV_NAME") == "production":
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def register(app) -> None:
    app.after_request(add_security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
