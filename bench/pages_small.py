"""A few pages timed on a small demo database (4 Homes, 400 children), to compare two
checkouts of the code in one window when the machine's speed drifts: run it in each,
one after the other. Median of 40 requests after 5 warm-up requests, as an administrator,
through Flask's test client (no server, no network).

    python bench/pages_small.py [CHECKOUT]   # default: this checkout
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))

PAGES = ("/admin/child/", "/admin/care_record/", "/admin/guardian/",
         "/admin/child/details/?id=5", "/admin/child/edit/?id=5")


def main() -> None:
    from flask_migrate import upgrade

    from admin_app import create_app
    from admin_app.extensions import db
    from models import User
    from models.enums import Role
    from seed.demo import build_demo

    folder = Path(tempfile.mkdtemp(prefix="pages-small-"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'small.db'}",
                      "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False, "LOGIN_THROTTLE": False,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        upgrade()
        build_demo(db.session, 4, 400, 7, date(2026, 12, 1))
        user = User(username="bench", role=Role.ADMIN, active=True)
        user.set_password("bench-password")
        db.session.add(user)
        db.session.commit()
    client = app.test_client()
    client.post("/login", data={"username": "bench", "password": "bench-password"})
    for url in PAGES:
        for _ in range(5):
            client.get(url)
        times = []
        for _ in range(40):
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        print(f"{url}\t{statistics.median(times):.1f} ms")


if __name__ == "__main__":
    main()
