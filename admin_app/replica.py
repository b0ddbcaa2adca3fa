"""Long reads from a PostgreSQL streaming replica (DATABASE_REPLICA_URL): the exports, the
scorecard, the work report and the yearly audit workbook read inside `replica_reads()`,
through a session of their own on the replica (`db.session` is that session in the block,
and is closed with it); every write, every list a user edits from and every access-log
entry stay on the primary, in the request's own session.

The replica is used only while it is current: the primary's write-ahead log position is
read first, and a replica that has replayed up to it is current; one that has not, and
last replayed a transaction more than REPLICA_MAX_LAG_S seconds ago, or that cannot be
reached or is no longer a replica (promoted), is passed over for the primary, with a
warning in the log. A read that began on the replica stays there until the block ends."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from admin_app.extensions import db

log = logging.getLogger("children_home.replica")

_REPLAYED = text(
    "SELECT pg_is_in_recovery(), "
    "pg_wal_lsn_diff(CAST(:primary AS pg_lsn), pg_last_wal_replay_lsn()), "
    "EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())")


def lag_seconds(replica) -> float | None:
    """How far the replica is behind the primary, in seconds (0: it has replayed all the
    primary had written a moment ago); None when it cannot serve (down, or promoted)."""
    try:
        with db.engine.connect() as primary:
            position = primary.execute(text("SELECT CAST(pg_current_wal_lsn() AS text)")) \
                .scalar()
        with replica.connect() as conn:
            recovering, behind, since = conn.execute(_REPLAYED, {"primary": position}).one()
    except DBAPIError as error:
        log.warning("replica unreachable, reading from the primary: %s",
                    str(error.orig).strip().splitlines()[0] if error.orig else error)
        return None
    if not recovering:
        log.warning("DATABASE_REPLICA_URL is not a replica (promoted?): reading from the "
                    "primary")
        return None
    if behind is not None and behind <= 0:
        return 0.0
    return float(since) if since is not None else None


@contextmanager
def reading_from(engine: Engine) -> Iterator[Session]:
    """`db.session` in the block is a session of its own on `engine`, closed at the end
    (its transaction with it, so the request's commits concern the primary alone); the
    request's session, with whatever it holds, comes back after."""
    scoped = db.session
    own = scoped()
    elsewhere = Session(bind=engine, info={"replica": True})
    scoped.registry.set(elsewhere)
    try:
        yield elsewhere
    finally:
        scoped.registry.set(own)
        elsewhere.close()


@contextmanager
def replica_reads() -> Iterator[bool]:
    """The block's reads from the replica, when one is set and current; yields whether
    they are. A block inside one reads where the outer one does."""
    replica = db.engines.get("replica") if current_app.config.get("DATABASE_REPLICA_URL") \
        else None
    if db.session.info.get("replica"):
        yield True
        return
    if replica is None:
        yield False
        return
    lag = lag_seconds(replica)
    limit = current_app.config["REPLICA_MAX_LAG_S"]
    if lag is None or lag > limit:
        if lag is not None:
            log.warning("replica %.1f s behind (more than %s): reading from the primary",
                        lag, limit)
        yield False
        return
    with reading_from(replica):
        yield True
