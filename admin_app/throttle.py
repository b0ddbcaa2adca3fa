"""Failed sign-ins counted so that guessing is slow and strangers lock nobody out.

A browser that has signed in to an account before carries a signed "known device" cookie
(OWASP's device cookies): its attempts at that account count on that browser alone, so no
one failing elsewhere can keep the real user out of her own office's computer. Any other
attempt counts per account at its address and per address; an account failing from many
addresses at once is slowed down (each unknown attempt waits a moment), never locked.
The counts live in the limiter's store (memory, or redis shared by every server process);
administrators see who waits and can let them in again (views.throttled)."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer
from limits import parse
from sqlalchemy import func, select

from admin_app.extensions import db, limiter
from models import AuditEntry
from models.base import utcnow
from models.enums import AuditAction

COOKIE = "known_device"
COOKIE_DAYS = 180
NAMES_PER_DEVICE = 8  # accounts remembered by one shared office computer
SLOW_DOWN_SECONDS = 1.0


@dataclass(frozen=True)
class Waiting:
    """An account (at an address), or a whole address, that must wait before trying again."""

    username: str  # "" for an address as a whole
    address: str
    failures: int


def _name(username: str) -> str:
    return (username or "").strip().lower()[:100]


def _limit(key: str):
    return parse(current_app.config[key])


def _ids(*parts: str) -> tuple[str, ...]:
    return (current_app.config.get("RATELIMIT_KEY_PREFIX", ""), "sign-in", *parts)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="known-device")


def _device() -> dict:
    """The browser's known-device cookie: {"n": its nonce, "u": [account names]}."""
    try:
        device = _serializer().loads(request.cookies.get(COOKIE, ""))
    except BadSignature:
        return {}
    return device if isinstance(device, dict) and isinstance(device.get("u"), list) else {}


def _counters(username: str) -> list[tuple[object, tuple[str, ...]]]:
    """The (limit, identifiers) this attempt counts against."""
    name, address = _name(username), request.remote_addr or ""
    device = _device()
    if name and name in device.get("u", []):
        return [(_limit("LOGIN_LIMIT_PER_DEVICE"), _ids("device", device["n"], name))]
    return [(_limit("LOGIN_LIMIT_PER_ACCOUNT"), _ids("account", name, address)),
            (_limit("LOGIN_LIMIT_PER_ADDRESS"), _ids("address", address))]


def _on() -> bool:
    return bool(current_app.config["LOGIN_THROTTLE"])


def must_wait(username: str) -> bool:
    """Whether this attempt is refused before its password is looked at. An unknown
    browser trying an account under attack from many addresses waits a moment first."""
    if not _on():
        return False
    counters = _counters(username)
    if len(counters) > 1 and not limiter.limiter.test(_limit("LOGIN_SLOW_DOWN_AFTER"),
                                                      *_ids("everywhere", _name(username))):
        time.sleep(SLOW_DOWN_SECONDS)
    return any(not limiter.limiter.test(limit, *ids) for limit, ids in counters)


def failed(username: str) -> None:
    if not _on():
        return
    for limit, ids in _counters(username):
        limiter.limiter.hit(limit, *ids)
    limiter.limiter.hit(_limit("LOGIN_SLOW_DOWN_AFTER"), *_ids("everywhere", _name(username)))


def remember_device(response, username: str):
    """After a correct password: this browser is known to the account from now on."""
    device = _device() or {"n": secrets.token_urlsafe(16), "u": []}
    names = [n for n in device["u"] if n != _name(username)][-(NAMES_PER_DEVICE - 1):]
    device["u"] = [*names, _name(username)]
    response.set_cookie(COOKIE, _serializer().dumps(device), max_age=COOKIE_DAYS * 86400,
                        httponly=True, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


def waiting() -> list[Waiting]:
    """Who must wait now: the accounts and addresses whose failures in the window (the
    audit trail's, checked against the limiter's counts) have reached the limit."""
    window = max(_limit("LOGIN_LIMIT_PER_ACCOUNT").get_expiry(),
                 _limit("LOGIN_LIMIT_PER_ADDRESS").get_expiry())
    since = utcnow() - timedelta(seconds=window)
    rows = db.session.execute(
        select(AuditEntry.record_label, AuditEntry.address, func.count())
        .where(AuditEntry.action == AuditAction.SIGN_IN_FAILED, AuditEntry.at >= since)
        .group_by(AuditEntry.record_label, AuditEntry.address)).all()
    found, addresses = [], {}
    for label, address, count in rows:
        address = address or ""
        addresses[address] = addresses.get(address, 0) + count
        ids = _ids("account", _name(label or ""), address)
        if not limiter.limiter.test(_limit("LOGIN_LIMIT_PER_ACCOUNT"), *ids):
            found.append(Waiting(label or "", address, count))
    for address, count in addresses.items():
        if not limiter.limiter.test(_limit("LOGIN_LIMIT_PER_ADDRESS"), *_ids("address", address)):
            found.append(Waiting("", address, count))
    return sorted(found, key=lambda w: (w.address, w.username))


def let_in(username: str, address: str) -> None:
    """Clear the counts of an account at an address (or, username "", of the address)."""
    if username:
        limiter.limiter.clear(_limit("LOGIN_LIMIT_PER_ACCOUNT"),
                              *_ids("account", _name(username), address))
        limiter.limiter.clear(_limit("LOGIN_SLOW_DOWN_AFTER"),
                              *_ids("everywhere", _name(username)))
    else:
        limiter.limiter.clear(_limit("LOGIN_LIMIT_PER_ADDRESS"), *_ids("address", address))
