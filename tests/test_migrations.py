"""The migrations own the schema: after `upgrade` the database matches the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from admin_app.extensions import db


def test_models_and_migrations_agree(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_database_is_at_the_latest_revision(app):
    from alembic.script import ScriptDirectory
    from flask_migrate import Config

    config = Config(str(app.extensions["migrate"].directory) + "/alembic.ini")
    config.set_main_option("script_location", app.extensions["migrate"].directory)
    heads = ScriptDirectory.from_config(config).get_heads()
    with db.engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_heads()
    assert set(current) == set(heads) and len(heads) == 1


def test_every_record_has_timestamps():
    # An association row, the audit trail (its `at` is its timestamp; it never changes) and a
    # roster waiting a day for its import (uploaded_at; never edited).
    association_tables = {"activity_volunteer", "audit_entry", "roster_upload"}
    for table in db.metadata.sorted_tables:
        if table.name in association_tables:
            continue
        assert {"created_at", "updated_at"} <= set(table.columns.keys()), table.name
