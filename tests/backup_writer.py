"""For tests/test_backup.py: another process saving records while a backup is taken. Adds
a child and her care record in each transaction, one line out per transaction, until the
file named by argv[2] appears. `python -m tests.backup_writer HOME_ID STOP_FILE`."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from admin_app import create_app
from admin_app.extensions import db
from models import CareRecord, Child, Home
from models.enums import CareKind, Gender, LeftBehindType, LivingArrangement


def main(home_id: int, stop: Path) -> None:
    app = create_app()
    with app.app_context():
        home = db.session.get(Home, home_id)
        n = 0
        while not stop.exists():
            n += 1
            child = Child(home=home, name=f"并发{n}", gender=Gender.FEMALE,
                          birth_date=date(2016, 2, 29), entered_on=date(2026, 9, 1),
                          left_behind_type=LeftBehindType.BOTH_PARENTS,
                          living_arrangement=LivingArrangement.GRANDPARENTS)
            db.session.add_all([child, CareRecord(child=child, occurred_on=date(2026, 12, 3),
                                                  kind=CareKind.TALK, notes=f"第{n}次谈心")])
            db.session.commit()
            print(n, flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]), Path(sys.argv[2]))
