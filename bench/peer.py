"""The peer measured in the same run (issue 25.2): vanilla Flask-Admin over the same county
database, set up as a generic admin would be: one plain `ModelView` of the children with 14
columns, search on name and ID number, filters on the Home and gender, `can_export` xlsx
(tablib). Nothing of ours: no sign-in, no access rule, no masking, no audit, no sealing — its
models are reflected from the tables (SQLAlchemy automap), so it shows the stored text as is.

`paired(ours, peer, ...)` times one of our pages and the peer's page for the same question
in turn, run after run, so that both meet the same minutes of this machine (its speed
drifts by a factor of two); the ratio is of the two medians.
"""

from __future__ import annotations

import statistics
import time

import sqlalchemy as sa

COLUMNS = ("name", "gender", "birth_date", "home.name", "school", "grade", "class_name",
           "left_behind_type", "living_arrangement", "guardian.name", "entered_on", "status",
           "id_number", "last_care_on")


def peer_app(url: str):
    """A Flask app with vanilla Flask-Admin's ModelView of the children at /admin/child/."""
    from flask import Flask
    from flask_admin import Admin
    from flask_admin.contrib.sqla import ModelView
    from flask_babel import Babel
    from sqlalchemy.ext.automap import automap_base
    from sqlalchemy.orm import scoped_session, sessionmaker

    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    base = automap_base()
    base.prepare(autoload_with=engine, reflection_options={"only": ["home", "guardian",
                                                                    "child"]})
    child = base.classes.child
    session = scoped_session(sessionmaker(bind=engine))

    class ChildView(ModelView):
        column_list = COLUMNS
        column_searchable_list = ("name", "id_number")
        column_filters = ("home.name", "gender")
        can_export = True
        export_types = ("xlsx",)
        page_size = 20

    app = Flask("peer")
    app.config["SECRET_KEY"] = "peer"
    Babel(app)  # Flask-Admin translates through Flask-Babel when it is installed
    admin = Admin(app, name="peer")
    admin.add_view(ChildView(child, session, name="Children", endpoint="child"))

    @app.teardown_appcontext
    def _remove(_exception) -> None:
        session.remove()

    return app


def filter_arg(app, label: str) -> str:
    """The URL argument of the peer's first filter on `label` (Flask-Admin numbers them)."""
    view = next(v for v in app.extensions["admin"][0]._views if v.endpoint == "child")
    for group in view._filter_groups.values():
        if str(group.label).lower().startswith(label.lower()):
            return group.filters[0]["arg"]
    raise LookupError(label)


def paired(ours, peer, runs: int = 30, warm: int = 3) -> dict:
    """Median ms of `ours()` and of `peer()`, called in turn `runs` times after `warm`."""
    for _ in range(warm):
        ours()
        peer()
    times = {"ours": [], "peer": []}
    for _ in range(runs):
        for key, call in (("ours", ours), ("peer", peer)):
            started = time.perf_counter()
            call()
            times[key].append((time.perf_counter() - started) * 1000)
    medians = {key: statistics.median(values) for key, values in times.items()}
    return {**medians, "ratio": medians["ours"] / medians["peer"]}


def table(rows) -> str:
    lines = ["| page | ours, median ms | vanilla Flask-Admin, median ms | ratio |",
             "| --- | ---: | ---: | ---: |"]
    for name, r in rows:
        lines.append(f"| {name} | {r['ours']:.1f} | {r['peer']:.1f} | {r['ratio']:.2f} |")
    return "\n".join(lines)
