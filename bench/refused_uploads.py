"""Files a roster upload must refuse, timed and weighed: a workbook of 1,048,576 empty
cells (5 MB), a 19.9 MB CSV of far more rows than a roster holds, a 25 MB file. Each case
runs in a process of its own (a fresh app on a fresh SQLite database, signed in as a Home's
staff): the wall time from the upload until the user is told (the upload, and the preview
if the upload was taken), and the process's peak RSS above its RSS just before the upload.

    python bench/refused_uploads.py [--checkout DIR]   # DIR: another checkout, same window
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
CASES = ("million empty cells (.xlsx)", "19.9 MB CSV", "25 MB file")


def _status_mib(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _reset_peak() -> None:
    """The kernel's high-water mark of RSS (VmHWM) set back to the RSS now, so the peak
    read after the upload is the upload's, not the app's start-up's (Linux)."""
    Path("/proc/self/clear_refs").write_text("5")


def make_file(case: str, folder: Path) -> Path:
    if case == CASES[0]:
        from openpyxl import Workbook

        book, out = Workbook(), io.BytesIO()
        book.active.append(["姓名"])
        book.save(out)
        cells = "".join(f'<row r="{n}"><c r="A{n}" s="0"/></row>'
                        for n in range(1, 1_048_577))
        sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
                 'openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:A1048576"/>'
                 f"<sheetData>{cells}</sheetData></worksheet>").encode()
        path = folder / "million.xlsx"
        source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
            for item in source.infolist():
                target.writestr(item.filename, sheet if item.filename.endswith("sheet1.xml")
                                else source.read(item.filename))
        return path
    if case == CASES[1]:
        line = "王小明,男,2015-03-12,430626201503120011,城关小学,三年级,李奶奶,13800001111\n"
        head = "姓名,性别,出生日期,身份证号码,学校,年级,监护人姓名,监护人电话\n"
        path = folder / "many.csv"
        path.write_bytes((head + line * (int(19.9 * 2**20) // len(line.encode()))).encode())
        return path
    path = folder / "large.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\0" * (25 * 2**20))
    return path


def run_case(case: str, file: Path) -> dict:

    from flask_migrate import upgrade

    from admin_app import create_app
    from admin_app.extensions import db
    from models import Home, User
    from models.enums import Role

    folder = Path(tempfile.mkdtemp(prefix="refused-"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'b.db'}",
                      "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False, "LOGIN_THROTTLE": False,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        upgrade()
        home = Home(name="城关镇儿童之家", township="城关镇")
        db.session.add(home)
        db.session.flush()
        user = User(username="bench", role=Role.STAFF, active=True, home_id=home.id)
        user.set_password("bench-password")
        db.session.add(user)
        db.session.commit()
        home_id = home.id
    client = app.test_client()
    client.post("/login", data={"username": "bench", "password": "bench-password"})
    content = file.read_bytes()
    _reset_peak()
    before = _status_mib("VmRSS")
    started = time.perf_counter()
    answer = client.post("/admin/import/", data={
        "file": (io.BytesIO(content), file.name), "home": str(home_id)},
        content_type="multipart/form-data")
    status = answer.status_code
    if status == 302:  # taken: the preview says it
        status = client.get(answer.headers["Location"]).status_code
    took = time.perf_counter() - started
    peak = _status_mib("VmHWM")
    return {"case": case, "MiB": round(len(content) / 2**20, 1), "status": status,
            "seconds": round(took, 2), "peak_over_before_MiB": round(max(peak - before, 0), 1)}


def measure(checkout: Path) -> list[dict]:
    folder = Path(tempfile.mkdtemp(prefix="refused-files-"))
    results = []
    for case in CASES:
        file = make_file(case, folder)
        out = subprocess.run(
            [sys.executable, __file__, "--case", case, "--file", str(file),
             "--checkout", str(checkout)], capture_output=True, text=True)
        if out.returncode:
            raise SystemExit(out.stderr[-3000:])
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return results


def report_section() -> str:
    from models.base import local_today

    lines = ["### refused uploads", "",
             f"Date {local_today()}. Command: `make bench` (`python bench/refused_uploads.py`"
             "): each file uploaded to the import page in a process of its own (Flask's test "
             "client, SQLite); seconds from the upload until the user is told (the preview "
             "too if the upload was taken); peak RSS of the process above its RSS just "
             "before the upload (the test client's copy of the request body included).", "",
             "| file | MiB | answer | seconds | peak RSS above before, MiB |",
             "|---|---|---|---|---|"]
    for r in measure(HERE):
        lines.append(f"| {r['case']} | {r['MiB']} | {r['status']} | {r['seconds']} | "
                     f"{r['peak_over_before_MiB']} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--checkout", default=str(HERE))
    parser.add_argument("--case")
    parser.add_argument("--file")
    options = parser.parse_args()
    sys.path.insert(0, options.checkout)
    if options.case:
        print(json.dumps(run_case(options.case, Path(options.file)), ensure_ascii=False))
        return
    for result in measure(Path(options.checkout)):
        print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
