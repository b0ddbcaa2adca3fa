"""The headers every answer carries: no caching of children's data, and a Content-Security-
Policy that runs only the app's own scripts (a nonce per request for the few Flask-Admin
writes inline; no inline event handlers anywhere: static/app.js binds them), never inside
another site's frame."""

from __future__ import annotations

import secrets

from flask import Flask, g

POLICY = ("default-src 'self'; script-src 'self' 'nonce-{nonce}'; "
          # Flask-Admin's widgets and a few of our pages set styles inline; no script runs.
          "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
          "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def csp_nonce() -> str:
    """This request's nonce (Admin(csp_nonce_generator=...) and the policy use the same)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def set_headers(response):
    # Pages of signed-in users hold children's data: no caching proxy may keep them.
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Content-Security-Policy", POLICY.format(nonce=csp_nonce()))
    return response


def init_headers(app: Flask) -> None:
    app.after_request(set_headers)
