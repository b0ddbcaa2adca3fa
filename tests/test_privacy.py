"""Minors' personal information (PIPL): what each column is, and how it is kept."""

from __future__ import annotations

from models.base import db
from models.privacy import CLASSIFICATION, COMMON, LEVELS, SENSITIVE, classify


def test_every_column_is_classified_with_a_purpose():
    missing, unknown = [], []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            try:
                level, purpose = classify(table.name, column.name)
            except KeyError:
                missing.append(f"{table.name}.{column.name}")
                continue
            if level not in LEVELS or len(purpose) < 4:
                unknown.append(f"{table.name}.{column.name}")
    assert missing == [], f"classify these columns in models/privacy.py: {missing}"
    assert unknown == []


def test_the_classification_names_no_column_that_does_not_exist():
    tables = {t.name: set(t.columns.keys()) for t in db.metadata.sorted_tables}
    stale = [f"{table}.{column}" for table, columns in CLASSIFICATION.items()
             for column in columns if column not in tables.get(table, set())]
    assert stale == []
    assert set(COMMON) == {"id", "version", "created_at", "updated_at"}


def test_what_the_law_calls_sensitive_is_sensitive():
    for table, column in [("child", "id_number"), ("child", "address"), ("child", "health"),
                          ("child", "psychology"), ("guardian", "phone"),
                          ("parent_contact", "phone"), ("volunteer", "phone"),
                          ("care_record", "notes"), ("guardian", "address")]:
        assert classify(table, column)[0] == SENSITIVE, (table, column)
