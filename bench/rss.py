"""What an export costs the process that serves it (issue 25.1), measured in a fresh process:
`python bench/rss.py ours|peer DATABASE_URL` prints one JSON line.

- `rss_before`: resident memory (VmRSS) once the app has started and served one list page;
- `peak_rss`: the process's peak resident memory (VmHWM) by the end of the export;
- `anon_before`, `anon_peak`: the anonymous part (RssAnon: the heap, not the SQLite file's
  memory map, which is the operating system's page cache and shared), sampled every 10 ms
  while the export runs;
- `seconds`: the export's wall time; `bytes`: the workbook's size.

`ours`: the roster export (/admin/child/export/xlsx/, every child, as county staff);
`township`: the same export as a township's supervisor (her township's children);
`peer`: vanilla Flask-Admin's export of its ModelView (bench/peer.py).
"""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def status(field: str) -> int:
    """A field of /proc/self/status, in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise LookupError(field)


class AnonPeak(threading.Thread):
    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = status("RssAnon")
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.01):
            self.peak = max(self.peak, status("RssAnon"))


def main(kind: str, url: str) -> None:
    if kind in ("ours", "township"):
        from bench.harness import Bench

        bench = Bench(url)
        who = "bench_county" if kind == "ours" else "bench_township"
        client = bench.users[who]
        assert client.get("/admin/child/").status_code == 200
        target = bench._approved(who, "/admin/child/export/xlsx/")
    else:
        from bench.peer import peer_app

        client = peer_app(url).test_client()
        assert client.get("/admin/child/").status_code == 200
        target = "/admin/child/export/xlsx/"
    import gc

    gc.collect()
    before = {"rss_before": status("VmRSS"), "anon_before": status("RssAnon")}
    sampler = AnonPeak()
    sampler.start()
    started = time.perf_counter()
    response = client.get(target)
    size = len(response.get_data())  # the whole stream read, as a browser would
    seconds = time.perf_counter() - started
    sampler.done.set()
    sampler.join()
    assert response.status_code == 200, response.status_code
    print(json.dumps({**before, "peak_rss": status("VmHWM"),
                      "anon_peak": max(sampler.peak, status("RssAnon")), "seconds": seconds,
                      "bytes": size}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
