"""The reminders' daily digest (`flask reminders send`, for cron): to each active account
with an e-mail address, the number of duties of care overdue long enough to reach it
(admin_app.reports.reminders) and links to them — counts and links only, never a child's
or a caring mother's name. Sent through Flask-Mailman when MAIL_SERVER is set."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import click
from flask import current_app, url_for
from flask.cli import AppGroup
from flask_babel import gettext
from flask_mailman import EmailMessage
from sqlalchemy import select

from admin_app import access
from admin_app.extensions import db
from admin_app.reports.reminders import escalated, escalation_days, owing
from models import Home, User
from models.base import local_today
from models.enums import Role


@dataclass
class Digest:
    user: User
    # (what, how many, link): one line for a Home or township scope, one per township (or
    # Home of none) for a county's.
    lines: list[tuple[str, int, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(n for _, n, _ in self.lines)


def _link(**args) -> str:
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    with current_app.test_request_context(base_url=base):
        return url_for("reminders.index", _external=True, **args)


def digests(today: date) -> list[Digest]:
    """Every active staff, supervisor and administrator account's digest (volunteers see
    theirs on 我的孩子). A county's counts are made once per township for all its accounts."""
    users = db.session.scalars(select(User).where(
        User.active.is_(True), User.role != Role.VOLUNTEER).order_by(User.username)).all()
    county: dict[tuple[int, str | int], int] = {}
    found = []
    for user in users:
        days = escalation_days(user)
        digest = Digest(user)
        if not access.sees_every_home(user):
            n = len(escalated(owing(user, today), days))
            digest.lines.append((gettext("Your Children's Homes"), n, _link()))
        else:
            homes = db.session.execute(access.scoped(
                select(Home.id, Home.name, Home.township), Home, user)
                .order_by(Home.township, Home.name)).all()
            places = sorted({t for _, _, t in homes if t}) + [
                (home_id, name) for home_id, name, t in homes if not t]
            for place in places:
                township = place if isinstance(place, str) else None
                home_id = None if township else place[0]
                if (days, township or home_id) not in county:
                    county[days, township or home_id] = len(escalated(owing(
                        user, today, home_id=home_id, township=township), days))
                n = county[days, township or home_id]
                if n:
                    digest.lines.append((township or place[1], n, _link(
                        township=township, home=home_id)))
        found.append(digest)
    return found


def message(digest: Digest, today: date) -> EmailMessage:
    days = escalation_days(digest.user)
    body = [gettext("Duties of care overdue %(days)s days or more, as of %(today)s:",
                    days=days, today=today.isoformat()), ""]
    body += [gettext("%(place)s: %(n)s — %(link)s", place=what, n=n, link=link)
             for what, n, link in digest.lines]
    body += ["", gettext("This digest holds counts and links only; sign in to see the "
                         "children.")]
    return EmailMessage(
        subject=gettext("Overdue duties of care: %(n)s", n=digest.total),
        body="\n".join(body), to=[digest.user.email])


reminders_cli = AppGroup("reminders", help="Overdue duties of care: the daily digest.")


@reminders_cli.command("send")
@click.option("--dry-run", is_flag=True, help="Print what would be sent; send nothing.")
def reminders_send(dry_run: bool) -> None:
    """Mail each account with an e-mail address the count of duties of care overdue long
    enough to reach it, with links (never a child's name); for cron, once a day."""
    if not dry_run and not current_app.config["MAIL_SERVER"]:
        click.echo("MAIL_SERVER is not set: nothing is sent (as with --dry-run).")
        dry_run = True
    today = local_today()
    sent = without = 0
    for digest in digests(today):
        if not digest.total:
            continue
        user = digest.user
        if not user.email:
            without += 1
            click.echo(f"no e-mail address: {user.username} ({digest.total} overdue)")
            continue
        if not dry_run:
            message(digest, today).send()
        sent += 1
        click.echo(f"{'would send' if dry_run else 'sent'} to {user.username} <{user.email}>: "
                   f"{digest.total} overdue")
        for what, n, link in digest.lines:
            click.echo(f"  {what}: {n} {link}")
    click.echo(f"{sent} {'to send' if dry_run else 'sent'}, {without} without an e-mail "
               f"address ({today.isoformat()}).")
