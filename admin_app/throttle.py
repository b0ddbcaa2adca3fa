"""Failed sign-ins counted so that guessing is slow and strangers lock nobody out.

A browser that has signed in to an account before carries a signed "known device" cookie
(OWASP's device cookies): its attempts at that account count on that browser alone, so no
one failing elsewhere can keep the real user out of her own computer. Any other browser
counts per account at its address (five wrong passwords there, a quarter of an hour's
wait for that pair only). Past a number of failures from one address (an office behind
one address), or at one account from everywhere, unknown browsers are slowed to one
attempt every few seconds there: never locked out, and never a server worker held asleep.
The counts live in the limiter's store (memory, or redis shared by every server process);
administrators see who waits and let them in again (views.throttled)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from limits import parse
from sqlalchemy import select
from werkzeug.exceptions import TooManyRequests

from admin_app.extensions import db, limiter
from models import AuditEntry
from models.base import utcnow
from models.enums import AuditAction

COOKIE = "known_device"
COOKIE_DAYS = 180
NAMES_PER_DEVICE = 8  # accounts remembered by one shared office computer


class Wait(TooManyRequests):
    user_message = _l("Too many failed sign-ins. Please wait a quarter of an hour and try "
                      "again, or sign in from the browser you usually use.")


class Slowed(TooManyRequests):
    user_message = _l("Many failed sign-ins have come from here or for this account: please "
                      "try again in a few seconds. The browser you usually sign in with is "
                      "not slowed down.")


@dataclass(frozen=True)
class Waiting:
    """Who must wait: an account at an address, an account on a browser it knows
    (`device`), or, with no username, an address (its unknown browsers slowed down)."""

    username: str
    address: str
    failures: int
    device: str = ""


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
    if not isinstance(device, dict) or not isinstance(device.get("u"), list) \
            or not isinstance(device.get("n"), str):
        return {}
    return device


def known_device(username: str) -> str:
    """The nonce of this browser if it has signed in to the account before, else ""."""
    device = _device()
    return device["n"] if _name(username) in device.get("u", []) else ""


def _on() -> bool:
    return bool(current_app.config["LOGIN_THROTTLE"])


def _over(limit_key: str, *parts: str) -> bool:
    return not limiter.limiter.test(_limit(limit_key), *_ids(*parts))


def refusal(username: str) -> TooManyRequests | None:
    """Why this attempt is refused before its password is looked at, or None."""
    if not _on():
        return None
    name, address = _name(username), request.remote_addr or ""
    if device := known_device(username):
        return Wait() if _over("LOGIN_LIMIT_PER_DEVICE", "device", device, name) else None
    if _over("LOGIN_LIMIT_PER_ACCOUNT", "account", name, address):
        return Wait()
    if (_over("LOGIN_LIMIT_PER_ADDRESS", "address", address)
            and _over("LOGIN_SLOW_PACE", "pace-address", address)):
        return Slowed()
    if (_over("LOGIN_SLOW_DOWN_AFTER", "everywhere", name)
            and _over("LOGIN_SLOW_PACE", "pace-account", name)):
        return Slowed()
    return None


def failed(username: str) -> str:
    """Count a wrong password; returns the known browser's nonce ("" for none)."""
    if not _on():
        return ""
    name, address = _name(username), request.remote_addr or ""
    if device := known_device(username):
        limiter.limiter.hit(_limit("LOGIN_LIMIT_PER_DEVICE"), *_ids("device", device, name))
        return device
    for limit_key, parts in (("LOGIN_LIMIT_PER_ACCOUNT", ("account", name, address)),
                             ("LOGIN_LIMIT_PER_ADDRESS", ("address", address)),
                             ("LOGIN_SLOW_DOWN_AFTER", ("everywhere", name)),
                             ("LOGIN_SLOW_PACE", ("pace-address", address)),
                             ("LOGIN_SLOW_PACE", ("pace-account", name))):
        limiter.limiter.hit(_limit(limit_key), *_ids(*parts))
    return ""


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
    """Who must wait now: the failures of the audit trail in the window, checked against
    the limiter's counts (cleared ones, and expired ones, are not listed)."""
    window = max(_limit(key).get_expiry() for key in (
        "LOGIN_LIMIT_PER_ACCOUNT", "LOGIN_LIMIT_PER_DEVICE", "LOGIN_LIMIT_PER_ADDRESS"))
    entries = db.session.execute(
        select(AuditEntry.record_label, AuditEntry.address, AuditEntry.changes)
        .where(AuditEntry.action == AuditAction.SIGN_IN_FAILED,
               AuditEntry.at >= utcnow() - timedelta(seconds=window))).all()
    counted: dict[tuple[str, str, str], int] = {}
    addresses: dict[str, int] = {}
    for label, address, changes in entries:
        device = str((changes or {}).get("device", ""))
        key = (_name(label or ""), address or "", device)
        counted[key] = counted.get(key, 0) + 1
        if not device:
            addresses[address or ""] = addresses.get(address or "", 0) + 1
    found = [Waiting(name, address, count, device)
             for (name, address, device), count in counted.items()
             if (device and _over("LOGIN_LIMIT_PER_DEVICE", "device", device, name))
             or (not device and _over("LOGIN_LIMIT_PER_ACCOUNT", "account", name, address))]
    found += [Waiting("", address, count) for address, count in addresses.items()
              if _over("LOGIN_LIMIT_PER_ADDRESS", "address", address)]
    return sorted(found, key=lambda w: (w.address, w.username, w.device))


def let_in(username: str, address: str, device: str = "") -> None:
    """Clear the counts of an account at an address or on a browser it knows; with no
    username, of the address (its unknown browsers no longer slowed)."""
    name = _name(username)
    if name and device:
        limiter.limiter.clear(_limit("LOGIN_LIMIT_PER_DEVICE"), *_ids("device", device, name))
    elif name:
        limiter.limiter.clear(_limit("LOGIN_LIMIT_PER_ACCOUNT"),
                              *_ids("account", name, address))
        limiter.limiter.clear(_limit("LOGIN_SLOW_DOWN_AFTER"), *_ids("everywhere", name))
    else:
        limiter.limiter.clear(_limit("LOGIN_LIMIT_PER_ADDRESS"), *_ids("address", address))
