"""What an import would do, row by row: the plan the preview shows and the commit saves."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext

from admin_app.importing.columns import IGNORE, Header
from models import Child, Home
from models.enums import ParentRelation

BATCH = 1000
NEW, UPDATED, UNCHANGED, ERROR = "new", "updated", "unchanged", "error"

# Child columns an import sets, with the longest text each takes.
CHILD_TEXT = {"school": 100, "grade": 20, "class_name": 20, "class_teacher": 50,
              "address": 200, "health": 2000, "ethnicity": 20, "hukou_address": 200}
CHILD_FIELDS = ("name", "gender", "birth_date", "id_number", "school", "grade", "class_name",
                "class_teacher", "class_teacher_phone", "address", "left_behind_type",
                "living_arrangement", "boarding", "family_situation", "guardianship",
                "key_target", "health", "entered_on", "ethnicity", "hukou_address",
                "hukou_elsewhere", "schooling")
NEEDED_FOR_NEW = ("gender", "birth_date", "left_behind_type", "living_arrangement")
PARENTS = (("father", ParentRelation.FATHER), ("mother", ParentRelation.MOTHER))
PARENT_TEXT = {"work_city": 50, "health": 100}
# What a row may say of each parent (``father_name``, ``mother_id_number`` …).
PARENT_KEYS = ("name", "phone", "work_city", "id_number", "health", "able_to_guard")


@dataclass(slots=True)
class RowPlan:
    sheet: str
    number: int
    cells: list[Any] | None  # as read; kept for refused rows only (the rows to correct)
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column, message)
    outcome: str = NEW
    child: Child | None = None  # the kept child, held only while the row would update it
    child_id: int | None = None
    version: int | None = None
    home: Home | None = None
    changes: list[str] = field(default_factory=list)  # labels of the changed fields

    def fail(self, column: str, message) -> None:
        self.errors.append((column, str(message)))
        self.outcome = ERROR


@dataclass
class Plan:
    filename: str
    sheet: str = ""
    header: Header | None = None
    rows: list[RowPlan] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # about the whole file
    notes: list[str] = field(default_factory=list)  # said once, not an error
    headers: list[tuple[str, Header]] = field(default_factory=list)  # each sheet read
    unread_sheets: list[str] = field(default_factory=list)  # visible, not empty, not read

    def read_sheets(self, found: list[tuple[Any, Header]]) -> None:
        """The sheets whose header was found, the first one's shown by the preview; each
        sheet not read is said."""
        self.sheet, self.header = found[0][0].name, found[0][1]
        self.headers = [(sheet.name, header) for sheet, header in found]
        for name in self.unread_sheets:
            self.notes.append(gettext(
                "The sheet “%(sheet)s” has no header row we recognise and was not read.",
                sheet=name))

    def where(self, sheet: str, number: int) -> str:
        """“Row 12”, or “Sheet 新联村, row 12” when the file has more than one sheet read."""
        if len(self.headers) > 1:
            return gettext("Sheet “%(sheet)s”, row %(row)s", sheet=sheet, row=number)
        return gettext("Row %(row)s", row=number)

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    @property
    def counts(self) -> dict[str, int]:
        return {outcome: self.count(outcome) for outcome in (NEW, UPDATED, UNCHANGED, ERROR)}

    @property
    def unmatched(self) -> list[str]:
        """The headers not recognised, of every sheet read (each once)."""
        texts = [text for _, header in self.headers or [("", self.header)] if header
                 for text in header.unmatched]
        return list(dict.fromkeys(texts))

    @property
    def ready(self) -> bool:
        """Whether the file can be imported at all (its rows may still have errors)."""
        return not self.problems and not self.unmatched

    def ignore_unmatched(self) -> None:
        """Set aside the columns that were not recognised (the command line's choice)."""
        for _, header in self.headers:
            header.keys = [IGNORE if key is None else key for key in header.keys]

    @property
    def fingerprint(self) -> str:
        """What the preview showed, so a commit can tell that records changed since."""
        digest = hashlib.sha256()
        for row in self.rows:
            digest.update(f"{row.number}:{row.outcome}:{row.child_id}:{row.version};".encode())
        return digest.hexdigest()[:32]


def error_rows(plan: Plan) -> Iterable[RowPlan]:
    return (row for row in plan.rows if row.outcome == ERROR)

