"""Flask commands: `seed` (demo and county-scale data), `users` (accounts), `export`, `import`,
`privacy`; `backup` in admin_app/backup_cli.py."""

from __future__ import annotations

import sys
import time

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select
from sqlalchemy import text as sa_text

from admin_app import access
from admin_app.digest import reminders_cli
from admin_app.extensions import db
from models import Home, User, Volunteer
from models.accounts import MIN_PASSWORD_LENGTH, username_taken
from models.base import local_today
from models.enums import AuditAction, Role
from models.places import townships
from models.validators import InvalidValue

seed_cli = AppGroup("seed", help="Fill the database with demo or county-scale data.")
users_cli = AppGroup("users", help="Manage sign-in accounts.")
export_cli = AppGroup("export", help="Write workbooks for supervisors.")
import_cli = AppGroup("import", help="Bring in rosters staff keep in Excel.")
privacy_cli = AppGroup("privacy", help="Minors' personal information: keys, retention.")


@seed_cli.command("demo")
@click.option("--homes", default=2, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--children", default=60, show_default=True, type=click.IntRange(0, 2_000_000))
@click.option("--seed", "seed_value", default=2026, show_default=True, type=int,
              help="Random seed: the same seed makes the same data.")
@click.option("--if-empty", is_flag=True, help="Do nothing if the database has Homes already.")
@click.option("--accounts/--no-accounts", default=True, show_default=True,
              help="Create one demo account per role (if there are no accounts yet).")
def seed_demo(homes: int, children: int, seed_value: int, if_empty: bool, accounts: bool) -> None:
    """Realistic demo data: Homes, children, guardians, parents, volunteers, care records,
    activities and stock."""
    from seed.accounts import create_demo_accounts
    from seed.demo import build_demo

    has_data = db.session.scalar(select(func.count()).select_from(Home)) > 0
    if has_data and if_empty:
        click.echo("The database already has data; demo data not loaded.")
    elif has_data:
        raise click.ClickException(
            "The database already has Homes. Use an empty database, or --if-empty."
        )
    else:
        started = time.perf_counter()
        counts = build_demo(db.session, homes, children, seed_value)
        if db.session.get_bind().dialect.name == "postgresql":
            # Statistics for the planner now, not when autovacuum comes round.
            db.session.execute(sa_text("ANALYZE"))
            db.session.commit()
        took = time.perf_counter() - started
        click.echo(
            f"Loaded {counts.homes} Homes, {counts.children} children, {counts.guardians} "
            f"guardians, {counts.parents} parents, {counts.volunteers} volunteers, "
            f"{counts.pairings} pairings, {counts.care_records} care records, "
            f"{counts.activities} activities, {counts.items} items, "
            f"{counts.movements} stock movements in {took:.1f} s."
        )
    if accounts:
        must_change = not current_app.config["DEMO_MODE"]
        created = create_demo_accounts(db.session, must_change_password=must_change)
        if created:
            _print_demo_accounts(created)


def _print_demo_accounts(created) -> None:
    """The demo accounts under their headers, in the configured language, and what to do
    with them: the first thing a new user reads."""
    from flask_babel import gettext

    from admin_app.xlsx import display_width

    def cell(text: str, width: int) -> str:
        return text + " " * max(width - display_width(text), 1)

    click.echo(gettext("Demo accounts (shown only this once; write them down):"))
    click.echo("  " + cell(gettext("Role"), 14) + cell(gettext("Username"), 13)
               + gettext("Password"))
    for username, password, role, township in created:
        if role is Role.SUPERVISOR:
            label = gettext("Township supervisor") if township else gettext("County supervisor")
        else:
            label = str(role.label)
        click.echo("  " + cell(label, 14) + cell(username, 13) + password)
    click.echo(gettext("Forgot a password? Set a new one (at least ten characters) with: "
                       "echo \"新密码至少十位\" | flask --app wsgi users set-password "
                       "--username <用户名>"))


@seed_cli.command("lookups")
def seed_lookups() -> None:
    """The usual activity kinds, resource categories and volunteer organisations."""
    from seed.lookups import ensure_lookups

    ensure_lookups(db.session)
    db.session.commit()
    click.echo("Lookup tables ready.")


def _read_password() -> str:
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.ClickException(
            f"The password must have at least {MIN_PASSWORD_LENGTH} characters."
        )
    return password


@users_cli.command("create")
@click.option("--username", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--home", "home_name", default=None, help="Home name; none means county-wide.")
@click.option("--township", default=None,
              help="Instead of a Home: every Home of this township (staff and supervisors).")
@click.option("--volunteer-id", type=int, default=None, help="The volunteer record to link.")
@click.option("--display-name", default="")
def users_create(username: str, role: str, home_name: str | None, township: str | None,
                 volunteer_id: int | None, display_name: str) -> None:
    """Create an account; the password is read from standard input."""
    role_value = Role(role)
    username = username.strip()
    if not username:
        raise click.ClickException("The username must not be empty.")
    if username_taken(db.session, username):
        raise click.ClickException(f"An account named {username!r} exists already.")
    home = None
    if home_name:
        home = db.session.scalar(select(Home).where(Home.name == home_name.strip()))
        if home is None:
            raise click.ClickException(f"No Home named {home_name!r}.")
    volunteer = None
    if volunteer_id is not None:
        volunteer = db.session.get(Volunteer, volunteer_id)
        if volunteer is None:
            raise click.ClickException(f"No volunteer with id {volunteer_id}.")
        if db.session.scalar(select(User.id).where(User.volunteer_id == volunteer_id)):
            raise click.ClickException(f"Volunteer {volunteer_id} already has an account.")
    if role_value is Role.VOLUNTEER and volunteer is None:
        raise click.ClickException("A volunteer account needs --volunteer-id.")
    try:
        township = access.account_scope(role_value, home=home, township=township,
                                        volunteer=volunteer, townships=townships(db.session))
    except InvalidValue as error:
        raise click.ClickException(str(error)) from None
    password = _read_password()
    user = User(username=username, display_name=display_name or username, role=role_value,
                home=home, township=township, volunteer=volunteer, active=True)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created {role_value.value} account {username!r}.")


def _account(username: str) -> User:
    user = db.session.scalar(select(User).where(func.lower(User.username)
                                                == username.strip().lower()))
    if user is None:
        raise click.ClickException(f"No account named {username!r}.")
    return user


@users_cli.command("set-password")
@click.option("--username", required=True)
@click.option("--must-change/--no-must-change", default=True, show_default=True,
              help="Ask for a new password at the next sign-in.")
def users_set_password(username: str, must_change: bool) -> None:
    """Reset an account's password (read from standard input); signs it out everywhere."""
    user = _account(username)
    user.set_password(_read_password())
    user.must_change_password = must_change
    db.session.commit()
    click.echo(f"Password of {user.username!r} reset.")


@users_cli.command("disable")
@click.option("--username", required=True)
def users_disable(username: str) -> None:
    """Stop an account from signing in; its open sessions end at once."""
    user = _account(username)
    user.active = False
    user.end_sessions()
    db.session.commit()
    click.echo(f"Account {user.username!r} disabled.")


@users_cli.command("enable")
@click.option("--username", required=True)
def users_enable(username: str) -> None:
    user = _account(username)
    user.active = True
    db.session.commit()
    click.echo(f"Account {user.username!r} enabled.")


@users_cli.command("list")
def users_list() -> None:
    """Every account with its role, Home and state."""
    for user in db.session.scalars(select(User).order_by(User.username)):
        home = user.home.name if user.home else (
            f"township {user.township}" if user.township else "county-wide")
        state = "active" if user.active else "disabled"
        click.echo(f"{user.username:<20} {user.role.value:<11} {state:<9} {home}")


@export_cli.command("calendar")
@click.option("--month", help="YYYY-MM")
@click.option("--year", type=click.IntRange(1900, 2200), help="A whole year, a sheet a month.")
@click.option("--home", "home_name", default=None, help="Home name; default all Homes.")
@click.option("--output", required=True, type=click.Path(dir_okay=False, writable=True))
def export_calendar(month: str | None, year: int | None, home_name: str | None,
                    output: str) -> None:
    """The activity calendar of a month or a year as an Excel workbook."""
    import shutil

    from flask_babel import gettext

    from admin_app.access import SYSTEM
    from admin_app.audit import record_access
    from admin_app.reports.calendar import write_calendar
    from models.calendar import Month

    if bool(month) == bool(year):
        raise click.ClickException("Give either --month YYYY-MM or --year YYYY.")
    if month:
        parsed = Month.parse(month, today=None)
        if str(parsed) != month.strip():
            raise click.ClickException(f"--month must look like 2026-12, not {month!r}.")
        months = [parsed]
    else:
        months = [Month(year, m) for m in range(1, 13)]
    home = None
    if home_name:
        home = db.session.scalar(select(Home).where(Home.name == home_name.strip()))
        if home is None:
            raise click.ClickException(f"No Home named {home_name!r}.")
    place = home.name if home else gettext("All Children's Homes")
    book = write_calendar(SYSTEM, months, place, home.id if home else None)
    with book.close() as source, open(output, "wb") as target:
        shutil.copyfileobj(source, target)
    record_access(AuditAction.EXPORT, table_name="activity", home_id=home.id if home else None,
                  label=f"{place} {months[0]}")
    click.echo(f"Wrote {output}.")


def _import_options(command):
    """The options both imports take."""
    for option in reversed((
        click.argument("file", type=click.Path(exists=True, dir_okay=False)),
        click.option("--home", "home_name", default=None,
                     help="The Home to import into; without it, each row's 儿童之家 column "
                          "says."),
        click.option("--dry-run", is_flag=True, help="Show what would change and save nothing."),
        click.option("--valid-only", is_flag=True,
                     help="Save the valid rows even when others are refused."),
        click.option("--map", "mapping", multiple=True, metavar="列名=字段",
                     help="What a column not recognised holds (repeatable), e.g. --map "
                          "\"与被监护人关系=guardian_relation\" or --map \"备注2=不导入\"."),
    )):
        command = option(command)
    return command


@import_cli.command("children")
@_import_options
def import_children(file: str, home_name: str | None, dry_run: bool, valid_only: bool,
                    mapping: tuple[str, ...]) -> None:
    """A roster of children (.xlsx or .csv), with guardians and parents. Nothing is saved
    when a row is refused or a sheet not read, unless --valid-only; the exit status is 1
    when rows were refused."""
    _run_import(file, home_name, dry_run, valid_only, mapping, "children")


def _run_import(file: str, home_name: str | None, dry_run: bool, valid_only: bool,
                mapping: tuple[str, ...], kind: str) -> None:
    from pathlib import Path

    from flask_babel import gettext

    from admin_app.importing.console import parse_mapping, run_import

    home = None
    if home_name:
        home = db.session.scalar(select(Home).where(Home.name == home_name.strip()))
        if home is None:
            raise click.ClickException(gettext("No Home named “%(name)s”.", name=home_name))
    run_import(db.session, Path(file), home, parse_mapping(mapping, kind), dry_run,
               valid_only, kind)


@import_cli.command("pairings")
@_import_options
def import_pairings(file: str, home_name: str | None, dry_run: bool, valid_only: bool,
                    mapping: tuple[str, ...]) -> None:
    """A pairing roster (爱心妈妈结对花名册): caring mothers and the children each cares for,
    the children found by ID number or name and birth date. As `import children`."""
    _run_import(file, home_name, dry_run, valid_only, mapping, "pairings")


@privacy_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would be anonymised; change nothing.")
def privacy_purge(dry_run: bool) -> None:
    """Anonymise (never delete) the records past their retention period
    (PRIVACY_RETENTION_YEARS after leaving care or turning 18)."""
    from admin_app.privacy import purge

    years = current_app.config["PRIVACY_RETENTION_YEARS"]
    report = purge(db.session, local_today(), years, dry_run=dry_run)
    counts = report.as_dict()
    click.echo(("Would anonymise" if dry_run else "Anonymised") + ": "
               + ", ".join(f"{n} {what.replace('_', ' ')}" for what, n in counts.items())
               + f" (retention {years} years).")
    for code in report.codes:
        click.echo(f"  {code}")
    if dry_run:
        click.echo("Dry run: nothing was changed.")


@privacy_cli.command("rotate-key")
def rotate_key() -> None:
    """A new encryption key for the sealed columns: every sealed value (and every sealed
    value in the audit trail) is re-encrypted with it, then the old keys are dropped."""
    import json

    from admin_app.sealing import reseal_everything
    from models import sealed

    path = current_app.config.get("DATA_KEYS_FILE")
    if path is None:
        raise click.ClickException(
            "The keys come from the DATA_KEYS environment variable. Rotate them where that "
            "is set: add a new key to its \"keys\", make it \"current\", restart, run this "
            "command, then remove the old key.")
    old = json.loads(path.read_text())
    new = sealed.new_key_file_content(old)
    _write_keys(path, new)  # old keys kept until every value is re-sealed
    sealed.configure(new)
    counts = reseal_everything(db.session)
    _write_keys(path, {**new, "keys": {new["current"]: new["keys"][new["current"]]}})
    sealed.configure(json.loads(path.read_text()))
    click.echo(f"Key {new['current']} is now the only key; re-encrypted "
               + ", ".join(f"{n} {table}" for table, n in counts.items()) + ".")


def _write_keys(path, content: dict) -> None:
    import json
    import os

    temporary = path.with_suffix(".new")
    temporary.write_text(json.dumps(content, indent=1))
    temporary.chmod(0o600)
    os.replace(temporary, path)


def init_cli(app: Flask) -> None:
    from admin_app.backup_cli import backup_cli

    app.cli.add_command(backup_cli)
    app.cli.add_command(reminders_cli)
    app.cli.add_command(import_cli)
    app.cli.add_command(privacy_cli)
    app.cli.add_command(seed_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(export_cli)
