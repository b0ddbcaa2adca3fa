"""The documents sent upward open in LibreOffice as they are (no retouching): the registration
forms print one A4 page per child, the summary table and the work report (Word and
workbook) convert to PDF with their Chinese text; their pages are rendered to PNG in
test-artifacts/look/ (LOOK_DIR) for people to look at. `.ci/run` installs LibreOffice and
poppler-utils; elsewhere, without them, these tests are skipped."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from models.enums import Role
from tests import test_mca_registration, test_work_report
from tests.conftest import export_through_approval, sign_in

OFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT, PDFTOPPM = shutil.which("pdftotext"), shutil.which("pdftoppm")
pytestmark = pytest.mark.skipif(not OFFICE or not PDFTOTEXT or not PDFTOPPM,
    reason="needs LibreOffice and poppler-utils (.ci/run installs them)")
LOOK = Path(os.environ.get("LOOK_DIR") or Path(__file__).resolve().parent.parent
            / "test-artifacts" / "look")


def _convert(files: list[Path], folder: Path) -> dict[str, Path]:
    """Each file to PDF in one LibreOffice run, with a profile of its own."""
    profile = (folder / "profile").as_uri()
    subprocess.run([OFFICE, f"-env:UserInstallation={profile}", "--headless",  # noqa: S603
                    "--convert-to", "pdf", "--outdir", str(folder), *map(str, files)],
                   check=True, capture_output=True, timeout=300)
    return {file.name: folder / f"{file.stem}.pdf" for file in files}


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], check=True,  # noqa: S603
                          capture_output=True, text=True, timeout=60).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


def _picture(pdf: Path, name: str) -> None:
    LOOK.mkdir(parents=True, exist_ok=True)
    subprocess.run([PDFTOPPM, "-png", "-r", "60", "-f", "1", "-l", "3", str(pdf),  # noqa: S603
                    str(LOOK / name)], check=True, timeout=120)


def test_the_reports_upward_open_in_libreoffice(app, make, db, tmp_path):
    test_work_report._county(make, db)
    client = app.test_client()
    assert sign_in(client, make.user(Role.ADMIN).username).status_code == 302
    period = test_work_report.PERIOD
    downloads = {
        "mca-registration.xlsx": export_through_approval(
            client, test_mca_registration.URL),
        "mca-summary.xlsx": client.get("/admin/reports/mca-summary.xlsx"),
        "work-report.docx": client.get(f"/admin/reports/work-report.docx?period={period}"),
        "work-figures.xlsx": client.get(f"/admin/reports/work-report.xlsx?period={period}"),
    }
    files = []
    for name, response in downloads.items():
        assert response.status_code == 200, name
        (tmp_path / name).write_bytes(response.data)
        files.append(tmp_path / name)
    pdfs = _convert(files, tmp_path)
    pages = {name: _pages(pdf) for name, pdf in pdfs.items()}
    # The county's nine children: one page each, each her own form.
    forms = pages["mca-registration.xlsx"]
    assert len(forms) == 9, [page[:80] for page in forms]
    names = "甲乙丙丁戊己庚辛壬"
    found = []
    for page in forms:
        assert "农村留守儿童基本情况登记表" in page and "填表人" in page
        found += [name for name in names if f" {name} " in page or f"\n{name} " in page]
    assert sorted(found) == sorted(names), found
    assert "农村留守儿童" in pages["mca-summary.xlsx"][0]
    report = "".join(pages["work-report.docx"]).replace(" ", "")  # LibreOffice spaces digits
    assert "工作总结" in report and "共开展活动3次" in report and "下一步计划" in report
    assert "入学率" in "".join(pages["work-figures.xlsx"])
    for name, pdf in pdfs.items():
        _picture(pdf, name.replace(".", "-"))
