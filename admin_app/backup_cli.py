"""`flask backup create | keys | restore` (the work itself: admin_app/backup.py)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from admin_app.extensions import db
from models.enums import AuditAction

backup_cli = AppGroup("backup", help="Backups of the database, the key file, and restoring.")


@backup_cli.command("create")
@click.option("--output", required=True, type=click.Path(path_type=Path),
              help="A new folder for the backup (it must not exist, or be empty).")
def backup_create(output: Path) -> None:
    """A consistent backup of the database while the panel runs, with its manifest; never
    the keys (`backup keys`)."""
    from flask_babel import gettext

    from admin_app import backup

    try:
        manifest = backup.create(db.engine, output)
    except backup.Refused as refused:
        raise click.ClickException(str(refused)) from None
    _audit_backup(AuditAction.EXPORT, "backup", output, manifest)
    size = sum(item["bytes"] for item in manifest["files"].values())
    click.echo(gettext("Backup written to %(path)s: %(rows)s rows in %(tables)s tables, "
                       "schema %(revision)s, %(size)s MB. The keys are not in it: keep the "
                       "key file (flask backup keys) somewhere else.",
                       path=output.resolve(), rows=f"{sum(manifest['tables'].values()):,}",
                       tables=len(manifest["tables"]), revision=manifest["revision"],
                       size=f"{size / 1e6:.1f}"))


@backup_cli.command("keys")
@click.option("--output", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="A new file for the keys (it must not exist).")
def backup_keys(output: Path) -> None:
    """The key file of the encrypted columns, to keep apart from the database's backups."""
    from flask_babel import gettext

    from admin_app import backup

    try:
        backup.write_keys(output)
    except backup.Refused as refused:
        raise click.ClickException(str(refused)) from None
    _audit_backup(AuditAction.EXPORT, "data_keys", output)
    click.echo(gettext("Key file written to %(path)s (readable by its owner only). Keep it "
                       "apart from the backups: on another machine or a USB key in a locked "
                       "drawer. Without it the encrypted information of a backup cannot be "
                       "read.", path=output.resolve()))


@backup_cli.command("restore")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False, exists=True))
def backup_restore(folder: Path) -> None:
    """Restore a backup into this (empty) database; an older schema is then upgraded."""
    from alembic.script import ScriptDirectory
    from flask_babel import gettext
    from flask_migrate import upgrade

    from admin_app import backup

    scripts = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate
                                          .get_config())
    revisions = {script.revision for script in scripts.walk_revisions()}
    try:
        restored = backup.restore(db.engine, folder, revisions, scripts.get_current_head())
    except backup.Refused as refused:
        raise click.ClickException(str(refused)) from None
    click.echo(gettext("Restored %(rows)s rows in %(tables)s tables from %(path)s (schema "
                       "%(revision)s); the rows match the manifest and the keys open the "
                       "encrypted information.", rows=f"{restored.rows:,}",
                       tables=restored.tables, path=folder.resolve(),
                       revision=restored.revision))
    if restored.upgraded_to:
        upgrade()
        click.echo(gettext("The schema was upgraded by the migrations to %(head)s.",
                           head=restored.upgraded_to))
    _audit_backup(AuditAction.IMPORT, "backup", folder, backup.read_manifest(folder))


def _audit_backup(action, what: str, path: Path, manifest: dict | None = None) -> None:
    """The audit trail keeps every whole-database copy made or restored, and every key file
    written: where to, by which account of the machine, and (a backup) what it held."""
    import getpass

    from admin_app.audit import record_access

    details = {"system_account": getpass.getuser()}
    if manifest is not None:
        details |= {"rows": sum(manifest["tables"].values()), "revision": manifest["revision"],
                    "created_at": manifest["created_at"]}
    record_access(action, table_name=what, label=str(path.resolve())[-100:], details=details)
