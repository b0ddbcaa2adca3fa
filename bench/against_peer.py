"""Our pages and roster export against vanilla Flask-Admin's (bench/peer.py) on the same
county, in the same run: paired page timings, the exports' medians, and both exports'
memory in fresh processes (bench/rss.py)."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time

import sqlalchemy as sa

from bench.harness import ROOT, Bench
from bench.peer import table as peer_table
from bench.report import cpu_reference
from models.base import local_today


def against_the_peer(bench: Bench, url: str, child, home_id: int, rare: str,
                     args: dict) -> list:
    """Our children list against vanilla Flask-Admin's (bench.peer) for the same questions,
    paired run by run; the roster export against the peer's once each (a long export)."""
    from bench.peer import filter_arg, paired, peer_app
    from models import Child, Home
    from models.enums import Gender

    db = bench.db
    # A common fragment beside the rare one of the table above: the demo's names are a
    # surname and one or two characters, so no two characters name hundreds of children;
    # the commonest given character does (about a thousand in 100,000).
    given = sa.func.substr(Child.name, 2, 1)
    common, many = db.session.execute(
        sa.select(given, sa.func.count()).group_by(given).order_by(sa.func.count().desc())
        .limit(1)).one()
    few = db.session.scalar(sa.select(sa.func.count()).select_from(Child)
                            .where(Child.name.contains(rare)))
    home_name = db.session.get(Home, home_id).name
    app = peer_app(url)
    peer = app.test_client()
    ours = bench.users["bench_county"]
    home_arg, gender_arg = filter_arg(app, "home"), filter_arg(app, "gender")
    questions = [
        ("children list, page 1", "/admin/child/", "/admin/child/"),
        ("children list, page 1,000", "/admin/child/?page=999&page_size=20",
         "/admin/child/?page=999"),
        (f"search: a common character ({common}, {many:,} children)",
         f"/admin/child/?search={common}", f"/admin/child/?search={common}"),
        (f"search: a rare fragment ({rare}, {few:,} children)", f"/admin/child/?search={rare}",
         f"/admin/child/?search={rare}"),
        ("search: full ID number", f"/admin/child/?search={child.id_number}",
         f"/admin/child/?search={child.id_number}"),
        ("filter: Home and gender",
         f"/admin/child/?flt0_{args['儿童之家']}={home_id}&flt1_{args['性别']}="
         f"{Gender.FEMALE.name}",
         f"/admin/child/?flt0_{home_arg}={home_name}&flt1_{gender_arg}={Gender.FEMALE.name}"),
        ("sort by birth date", "/admin/child/?sort=2", "/admin/child/?sort=2"),
        ("child's edit form", f"/admin/child/edit/?id={child.id}",
         f"/admin/child/edit/?id={child.id}"),
    ]
    rows = []
    for name, our_url, peer_url in questions:
        for client, target in ((ours, our_url), (peer, peer_url)):
            answer = client.get(target)
            assert answer.status_code == 200, (target, answer.status_code)
        result = paired(lambda u=our_url: ours.get(u), lambda u=peer_url: peer.get(u))
        rows.append((name, result))
        print("against the peer:", name, {k: round(v, 2) for k, v in result.items()},
              flush=True)
    # The long exports in turn, 5 times each: medians of the wall time.
    ours_took, peer_took = [], []
    for _ in range(5):
        approved = bench._approved("bench_county", "/admin/child/export/xlsx/")
        started = time.perf_counter()
        assert ours.get(approved).status_code == 200
        ours_took.append(time.perf_counter() - started)
        started = time.perf_counter()
        assert peer.get("/admin/child/export/xlsx/").status_code == 200
        peer_took.append(time.perf_counter() - started)
    our_export, peer_export = statistics.median(ours_took), statistics.median(peer_took)
    rows.append(("roster export, every child (s, median of 5 each)",
                 {"ours": our_export, "peer": peer_export, "ratio": our_export / peer_export}))
    print("against the peer: export", our_export, peer_export, flush=True)
    return rows


def peer_section(targets: dict) -> str:
    """`--only peer`: our children list and roster export against vanilla Flask-Admin's, and
    both exports' memory in fresh processes, on each (already built) county."""
    from models import CareRecord, Child

    parts = ["### against vanilla Flask-Admin 2.2.1 (issue 25)", "",
             f"Date {local_today()}. Command: `python bench/run.py --only peer` (in `make "
             "bench` too, under each database's section). bench/peer.py: one plain ModelView "
             "of the children, 14 columns, search on name and ID number, filters on Home and "
             "gender, xlsx export (tablib); no sign-in, access rule, masking or audit. Each "
             "page: 3 warm-ups, then ours (signed in as county staff) and the peer's in turn, "
             "30 times; medians; ratio = ours / peer (below 1: ours is faster)."]
    for name, url in targets.items():
        before = cpu_reference()
        bench = Bench(url)
        db = bench.db
        child = db.session.scalar(
            sa.select(Child).where(Child.id_number.is_not(None),
                                   sa.exists().where(CareRecord.child_id == Child.id))
            .order_by(Child.id).limit(1))
        view = next(v for v in bench.app.extensions["admin"][0]._views
                    if v.endpoint == "child")
        args = {str(g.label): f["arg"] for g in view._filter_groups.values() for f in g.filters}
        fragment = child.name[1:3] if len(child.name) > 2 else child.name[:2]
        rows = against_the_peer(bench, url, child, child.home_id, fragment, args)
        bench.ctx.pop()
        rss = {kind: export_rss(kind, url) for kind in ("ours", "peer")}
        parts += ["", f"#### {name}", "",
                  f"CPU reference: {before:.0f} ms before, {cpu_reference():.0f} ms after.", "",
                  peer_table(rows), "", rss_lines(rss)]
    return "\n".join(parts)


def export_rss(kind: str, url: str) -> dict:
    """The roster export (ours, or the peer's) in a fresh process: bench/rss.py."""

    done = subprocess.run([sys.executable, str(ROOT / "bench" / "rss.py"), kind, url],
                          cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def rss_lines(rss: dict) -> str:
    mib = 2**20
    lines = ["Every child's roster export in a fresh process (bench/rss.py; one run each): "
             "resident memory once started, the peak (VmHWM), and the anonymous part "
             "(RssAnon, the heap; SQLite's memory map is file-backed, shared page cache) "
             "sampled every 10 ms during the export.", "",
             "| export | seconds | MB written | RSS at start MiB | peak RSS MiB | "
             "anonymous at start MiB | anonymous peak MiB | anonymous growth MiB |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for kind, label in (("ours", "ours (/admin/child/export/xlsx/)"),
                        ("peer", "vanilla Flask-Admin 2.2.1 (tablib)")):
        r = rss[kind]
        lines.append(f"| {label} | {r['seconds']:.1f} | {r['bytes'] / 1e6:.1f} | "
                     f"{r['rss_before'] / mib:.0f} | {r['peak_rss'] / mib:.0f} | "
                     f"{r['anon_before'] / mib:.0f} | {r['anon_peak'] / mib:.0f} | "
                     f"{(r['anon_peak'] - r['anon_before']) / mib:+.0f} |")
    return "\n".join(lines)
