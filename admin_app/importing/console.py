"""How an import speaks on the command line (`flask import children`): in the configured
language, every refused row with its sheet and row, the columns it could not place, the
sheets it did not read, and the summary line scripts read."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from flask_babel import gettext

from admin_app.importing.columns import FIELDS, IGNORE, looks_known
from admin_app.importing.rows import ERROR


def parse_mapping(pairs: tuple[str, ...], kind: str = "children") -> dict[str, str]:
    """`--map "列名=字段"`: the field by its key (guardian_relation), its label in either
    language (与儿童关系 is a header; the label is 监护人与儿童关系) or 不导入 / ignore."""
    from flask_babel import force_locale

    from admin_app.importing import pairings

    fields = pairings.FIELDS if kind == "pairings" else FIELDS
    names: dict[str, str] = {"不导入": IGNORE, "ignore": IGNORE}
    for field in fields:
        names[field.key] = field.key
        for locale in ("zh_Hans_CN", "en"):
            with force_locale(locale):
                names.setdefault(str(field.label), field.key)
    mapping = {}
    for pair in pairs:
        text, sep, choice = pair.partition("=")
        if not sep or choice.strip() not in names:
            raise click.BadParameter(gettext(
                "“%(pair)s”: write --map \"列名=字段\", the field being one of %(fields)s or "
                "不导入.", pair=pair, fields="、".join(str(f.label) for f in fields)),
                param_hint="--map")
        mapping[text.strip()] = names[choice.strip()]
    return mapping


def header_text(text: str) -> str:
    """A header as printed: on one line (headers often break inside their cell)."""
    return " ".join(str(text).split())


def run_import(session, path: Path, home, mapping: dict[str, str], dry_run: bool,
               valid_only: bool, kind: str = "children") -> None:
    from admin_app import importing
    from admin_app.access import SYSTEM

    started = time.perf_counter()
    try:
        plan = importing.preview(session, path.read_bytes(), path.name, SYSTEM, home, mapping,
                                 kind)
    except importing.BadFile as error:
        raise click.ClickException(str(error.message)) from None
    for problem in plan.problems:
        click.echo(gettext("Error: %(text)s", text=problem), err=True)
    if plan.problems:
        sys.exit(1)
    for note in plan.notes:
        click.echo(gettext("Note: %(text)s", text=note))
    doubtful = [text for text in plan.unmatched if looks_known(text)]
    for text in plan.unmatched:
        if text in doubtful:
            click.echo(gettext(
                "Error: the column “%(column)s” looks like one of ours but was not recognised; "
                "say what it holds with --map \"%(column)s=字段\" (or =不导入).",
                column=header_text(text)), err=True)
        else:
            click.echo(gettext("Note: the column “%(column)s” was not recognised and is not "
                               "imported.", column=header_text(text)))
    if doubtful:
        sys.exit(1)
    plan.ignore_unmatched()
    for row in plan.rows:
        for column, message in row.errors:
            where = plan.where(row.sheet, row.number)
            click.echo(f"{where}" + (f"，{header_text(column)}" if column else "")
                       + f"：{message}", err=True)
    counts = plan.counts
    # The summary line is read by scripts: its words stay as they are in every language.
    click.echo(f"{plan.filename}: {counts['new']} new, {counts['updated']} updated, "
               f"{counts['unchanged']} unchanged, {counts[ERROR]} refused "
               f"({time.perf_counter() - started:.1f} s).")
    refused = counts[ERROR] > 0
    unread = bool(plan.unread_sheets) and not valid_only
    if dry_run:
        click.echo(gettext("Dry run: nothing was saved."))
    elif (refused or unread) and not valid_only:
        click.echo(gettext("Nothing was saved: correct the refused rows and the sheets not "
                           "read, or use --valid-only."))
    else:
        importing.commit(session, plan, home, valid_only=valid_only, kind=kind)
        if kind == "pairings":
            click.echo(gettext("Saved %(new)s new pairings.", new=counts["new"]))
        else:
            click.echo(gettext("Saved %(new)s new and %(updated)s updated children.",
                               new=counts["new"], updated=counts["updated"]))
    if refused or unread:
        sys.exit(1)
