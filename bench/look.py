"""Pictures of the product for people to look at: screenshots of the main pages (desktop and
phone) and the exported workbooks rendered to PNG through LibreOffice.

    python bench/look.py [--output test-artifacts/look]

Needs Debian's chromium (and fonts-noto-cjk for Chinese), libreoffice-calc and
poppler-utils; `.ci/run` installs them. Runs a demo database of its own in a temporary
folder and a server on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from models.base import local_today

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "look at me please"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def flask(env: dict, *args: str, stdin: str | None = None) -> str:
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT,
                          env=env, check=True, capture_output=True, text=True,
                          input=stdin).stdout


def serve(env: dict, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "run", "--host", "127.0.0.1",
         "--port", str(port)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=1)
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("the server did not start")


def render(workbook: Path, output: Path) -> list[Path]:
    """A workbook to PNG pages via LibreOffice (PDF) and pdftoppm."""
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if not office or not shutil.which("pdftoppm"):
        print("skipped rendering: install libreoffice-calc and poppler-utils")
        return []
    subprocess.run([office, "--headless", "--convert-to", "pdf", "--outdir", str(output),
                    str(workbook)], check=True, capture_output=True, timeout=180)
    pdf = output / (workbook.stem + ".pdf")
    subprocess.run([shutil.which("pdftoppm"), "-png", "-r", "70", "-f", "1", "-l", "3", str(pdf),
                    str(output / workbook.stem)], check=True, timeout=120)
    return sorted(output.glob(workbook.stem + "*.png"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", default=str(ROOT / "test-artifacts" / "look"))
    output = Path(parser.parse_args().output)
    output.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder}/look.db", "DEMO_MODE": "1",
               "SECRET_KEY": "look"}
        flask(env, "db", "upgrade")
        flask(env, "seed", "demo", "--no-accounts")
        flask(env, "users", "create", "--username", "look", "--role", "admin", stdin=PASSWORD)
        port = free_port()
        server = serve(env, port)
        base = f"http://127.0.0.1:{port}"
        month = f"{local_today():%Y-%m}"
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                            args=CHROMIUM_ARGS)
                for device, viewport in (("desktop", {"width": 1366, "height": 900}),
                                         ("phone", {"width": 390, "height": 844})):
                    page = browser.new_page(viewport=viewport, accept_downloads=True)
                    page.goto(base + "/login")
                    page.fill("#username", "look")
                    page.fill("#password", PASSWORD)
                    page.click("button[type=submit]")
                    for name, url in (("calendar", f"/admin/calendar/?month={month}"),
                                      ("children", "/admin/child/"),
                                      ("archive-card", "/admin/child/details/?id=1"),
                                      ("overview", "/admin/")):
                        page.goto(base + url)
                        page.screenshot(path=str(output / f"{name}-{device}.png"),
                                        full_page=True)
                    if device == "desktop":
                        exports = (("calendar", f"/admin/calendar/export.xlsx?month={month}"),
                                   ("roster", "/admin/child/export/xlsx/"),
                                   ("mca-summary", "/admin/reports/mca-summary.xlsx"))
                        for name, url in exports:
                            with page.expect_download() as download:
                                page.evaluate(f"window.location = '{url}'")
                            download.value.save_as(str(output / f"{name}.xlsx"))
                    page.close()
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    for workbook in ("calendar.xlsx", "roster.xlsx", "mca-summary.xlsx"):
        for picture in render(output / workbook, output):
            print("wrote", picture)
    for picture in sorted(output.glob("*-*.png")):
        print("wrote", picture)
    return 0


if __name__ == "__main__":
    sys.exit(main())
