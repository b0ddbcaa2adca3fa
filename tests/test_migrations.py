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
    # The care summary and the index of names are derived from the records and rewritten
    # with them; kept figures say when they were computed.
    association_tables = {"activity_volunteer", "activity_series_child",
                          "activity_series_volunteer", "care_round_home", "care_round_child",
                          "audit_entry", "roster_upload", "care_month", "kept_figures",
                          "name_gram"}
    for table in db.metadata.sorted_tables:
        if table.name in association_tables:
            continue
        assert {"created_at", "updated_at"} <= set(table.columns.keys()), table.name


def test_sealing_migration_encrypts_what_was_kept_in_clear_and_back(tmp_path):
    """Data typed before encryption was added is sealed (with its blind index) by the
    upgrade, in the audit trail too; a downgrade opens it again."""
    import json

    import sqlalchemy as sa
    from flask_migrate import downgrade, upgrade

    from admin_app import create_app
    from models import Child, sealed
    from models.sealed import blind_index, new_key_file_content

    previous, keys = sealed.keyring().content(), new_key_file_content()
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.db'}",
                      "SECRET_KEY": "migration", "DATA_KEYS_CONTENT": keys})
    number = "430626201503120034"
    try:
        with app.app_context():
            upgrade(revision="3d693bdbbbd2")
            with db.engine.begin() as conn:
                conn.execute(sa.text(
                    "INSERT INTO home (id, name, township, village, address, phone, "
                    "opening_hours, version) VALUES (1, '甲', '镇', '村', '', '', '', 1)"))
                conn.execute(sa.text(
                    "INSERT INTO child (id, home_id, name, gender, birth_date, id_number, "
                    "school, grade, class_name, class_teacher, address, left_behind_type, "
                    "living_arrangement, boarding, family_situation, key_target, in_difficulty,"
                    " health, study, psychology, behaviour, hobbies, entered_on, status, "
                    "leave_note, version) VALUES (1, 1, '旧档案', 'MALE', '2015-03-12', "
                    ":number, '', '', '', '', '老屋村三组', 'BOTH_PARENTS', 'GRANDPARENTS', "
                    "0, 'ORDINARY', 0, 0, '哮喘', '', '', '', '', '2024-09-01', 'IN_CARE', '', 1)"),
                    {"number": number})
                conn.execute(sa.text(
                    "INSERT INTO audit_entry (at, username, address, action, table_name, "
                    "record_id, record_label, changes) VALUES ('2025-01-01', 'old', '', "
                    "'UPDATE', 'child', 1, '旧档案', :changes)"),
                    {"changes": '{"address": ["旧址", "老屋村三组"], "grade": ["一", "二"]}'})
            upgrade()
            with db.engine.connect() as conn:
                raw = conn.execute(sa.text(
                    "SELECT id_number, id_number_hash, address, health FROM child")).one()
                trail = conn.execute(sa.text("SELECT changes FROM audit_entry")).scalar()
            assert raw[0].startswith("s1.") and raw[2].startswith("s1.")
            assert raw[3].startswith("s1.") and raw[1] == blind_index(number)
            assert "老屋村" not in trail
            changes = json.loads(trail)
            assert changes["grade"] == ["一", "二"]
            assert all(value.startswith("s1.") for value in changes["address"])
            child = db.session.get(Child, 1)
            assert (child.id_number, child.address, child.health) == (number, "老屋村三组", "哮喘")
            db.session.remove()
            downgrade(revision="3d693bdbbbd2")
            with db.engine.connect() as conn:
                raw = conn.execute(sa.text("SELECT id_number, address FROM child")).one()
                trail = conn.execute(sa.text("SELECT changes FROM audit_entry")).scalar()
            assert tuple(raw) == (number, "老屋村三组")
            assert json.loads(trail)["address"] == ["旧址", "老屋村三组"]
            db.engine.dispose()
    finally:
        sealed.configure(previous)  # create_app configured the process-wide keyring
