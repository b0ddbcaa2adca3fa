"""The work report's words and files: its figures in the sentences the seeds use, the notes
on how they were counted, the table by stage and gender, and the report written as a Word
document (python-docx) and as a workbook of the figures (admin_app.reports.work_report
counts them)."""

from __future__ import annotations

import io
from datetime import date

from flask_babel import gettext

from admin_app.reports.work_report import SCHOOL_AGES, WorkReport, school_age_day
from admin_app.xlsx import Column, Workbook
from models.enums import CareKind, Gender, SchoolStage

STAGES = [*(stage.value for stage in SchoolStage), "out", "unknown"]


def stage_names() -> dict[str, str]:
    return {**{stage.value: str(stage.label) for stage in SchoolStage},
            "out": gettext("Out of school"), "unknown": gettext("Stage not known")}


def care_count(report: WorkReport, kind: CareKind) -> tuple[int, int]:
    return report.care.get(kind, (0, 0))


def sentences(report: WorkReport) -> list[str]:
    """The period's figures as the seeds write them, one paragraph each."""
    visits, visited = care_count(report, CareKind.HOME_VISIT)
    talks, talked = care_count(report, CareKind.TALK)
    calls, called = care_count(report, CareKind.PARENT_CALL)
    kinds = "、".join(gettext("%(kind)s %(n)s times", kind=kind, n=n)
                     for kind, n, _ in report.by_kind)
    out = [gettext("In %(period)s, %(place)s held %(n)s activities, with %(times)s "
                   "attendances by %(children)s children.", period=report.period.label,
                   place=report.place, n=report.activities, times=report.attendances,
                   children=report.children_attending)]
    if kinds:
        out.append(gettext("By kind: %(kinds)s.", kinds=kinds))
    out.append(gettext("Caring mothers and staff made %(visits)s home visits to %(visited)s "
                       "children, held %(talks)s talks with %(talked)s children, and arranged "
                       "%(calls)s calls or videos between %(called)s children and their "
                       "parents.", visits=visits, visited=visited, talks=talks,
                       talked=talked, calls=calls, called=called))
    out.append(gettext("%(made)s pairings were made and %(ended)s ended; %(entered)s children "
                       "were newly archived and %(left)s left care; %(in_care)s children were "
                       "in care on %(day)s.", made=report.pairings_made,
                       ended=report.pairings_ended, entered=report.entered, left=report.left,
                       in_care=report.in_care, day=report.last.isoformat()))
    if report.handouts:
        goods = "、".join(f"{item}{quantity}{unit}" for item, unit, quantity in report.goods)
        out.append(gettext("Goods were handed out %(n)s times to %(children)s children: "
                           "%(goods)s.", n=report.handouts, children=report.children_given,
                           goods=goods))
    else:
        out.append(gettext("No goods were handed out."))
    out.append(gettext("Enrolment rate of children of compulsory-school age: %(enrolment)s; "
                       "consolidation rate: %(consolidation)s.",
                       enrolment=report.enrolment.percent,
                       consolidation=report.consolidation.percent))
    return out


def notes(report: WorkReport) -> list[str]:
    """How the figures were counted and what was counted apart."""
    low, high = SCHOOL_AGES
    apart_e, apart_c = report.enrolment.apart, report.consolidation.apart
    return [
        gettext("Activities: those held (done) in the period, by the kind recorded; "
                "trainings and talks are counted under the kinds they were recorded with. "
                "Attendances: each child present at each activity."),
        gettext("Enrolment rate: children in care on %(day)s aged %(low)s to %(high)s on "
                "%(age_day)s, in school: %(part)s of %(whole)s whose schooling is recorded; "
                "not recorded, counted apart: %(unsaid)s.", low=low, high=high,
                day=report.last.isoformat(), age_day=school_age_day(report.last).isoformat(),
                part=report.enrolment.part,
                whole=report.enrolment.whole, unsaid=apart_e.get("unsaid", 0)),
        gettext("Consolidation rate: pupils in school on %(first)s still in school on "
                "%(last)s, %(part)s of %(whole)s in care on both days; counted apart: "
                "%(left)s who left care, %(later)s archived after the period began.",
                first=report.first.isoformat(), last=report.last.isoformat(),
                part=report.consolidation.part, whole=report.consolidation.whole,
                left=apart_c.get("left", 0), later=apart_c.get("archived_later", 0)),
        gettext("Schooling is each child's on the days counted, as the audit trail keeps its "
                "changes; the school stage is read from her grade and the Home is hers as "
                "they are now, so a past year's table counts a pupil moved up since at her "
                "present stage."),
    ]


def stage_rows(report: WorkReport):
    """(stage name, boys, girls, total) for each stage, then the total."""
    names = stage_names()
    rows = []
    for key in STAGES:
        boys = report.stages[(key, Gender.MALE)]
        girls = report.stages[(key, Gender.FEMALE)]
        rows.append((names[key], boys, girls, boys + girls))
    rows.append((gettext("Total"), sum(r[1] for r in rows), sum(r[2] for r in rows),
                 sum(r[3] for r in rows)))
    return rows


def figures(report: WorkReport) -> list[tuple[str, int | str]]:
    """Every figure of the report by its name, in the order the report says them."""
    out = [(gettext("Activities held (times)"), report.activities),
           (gettext("Attendances at activities"), report.attendances),
           (gettext("Children taking part in activities"), report.children_attending)]
    out += [(gettext("Activities: %(kind)s", kind=kind), n) for kind, n, _ in report.by_kind]
    for kind in CareKind:
        records, children = care_count(report, kind)
        out += [(gettext("%(kind)s: records", kind=kind.label), records),
                (gettext("%(kind)s: children", kind=kind.label), children)]
    out += [(gettext("Pairings made"), report.pairings_made),
            (gettext("Pairings ended"), report.pairings_ended),
            (gettext("Children newly archived"), report.entered),
            (gettext("Children leaving care"), report.left),
            (gettext("Children in care at the end"), report.in_care),
            (gettext("Goods handed out (times)"), report.handouts),
            (gettext("Children given goods"), report.children_given),
            (gettext("Enrolment rate"), report.enrolment.percent),
            (gettext("Consolidation rate"), report.consolidation.percent)]
    return out


def report_title(report: WorkReport) -> str:
    return gettext("%(place)s work report, %(period)s", place=report.place,
                   period=report.period.label)


def report_docx(report: WorkReport, today: date) -> io.BytesIO:
    """The report as a Word document: the figures in sentences, the tables, and the headings
    staff fill in."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "宋体"
    style.font.size = Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    for name in ("Title", "Heading 1", "Heading 2"):
        heading = document.styles[name]
        heading.font.name = "黑体"
        heading.element.rPr.rFonts.set(qn("w:eastAsia"), "黑体")
    title = document.add_heading(report_title(report), level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(gettext("%(first)s to %(last)s; written on %(today)s from the "
                                   "records.", first=report.first.isoformat(),
                                   last=report.last.isoformat(), today=today.isoformat()))
    document.add_heading(gettext("1. The work in figures"), level=1)
    for sentence in sentences(report):
        document.add_paragraph(sentence)
    document.add_heading(gettext("2. Children in care by school stage and gender"), level=1)
    _docx_table(document, (gettext("School stage"), str(Gender.MALE.label),
                           str(Gender.FEMALE.label), gettext("Total")), stage_rows(report))
    document.add_heading(gettext("3. Duties of care done"), level=1)
    _docx_table(document, (gettext("Duty"), gettext("Done"), gettext("Due"),
                           gettext("Share done")),
                [(name, done, due, f"{100 * done / due:.1f}%" if due else "—")
                 for name, done, due in report.duties])
    if report.by_kind:
        document.add_heading(gettext("4. Activities by kind"), level=1)
        _docx_table(document, (gettext("Kind"), gettext("Activities held"),
                               gettext("Attendances")), report.by_kind)
    for heading in (gettext("Highlights"), gettext("Problems"), gettext("Plans for next")):
        document.add_heading(heading, level=1)
        document.add_paragraph(gettext("(to be written by the Home)"))
    document.add_heading(gettext("How the figures were counted"), level=2)
    for note in notes(report):
        document.add_paragraph(note)
    out = io.BytesIO()
    document.save(out)
    out.seek(0)
    return out


def _docx_table(document, headers, rows) -> None:
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        cell.text = str(header)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = str(value)


def report_workbook(report: WorkReport, today: date) -> Workbook:
    """The report's figures only: a sheet of figures, one by stage and gender, one of the
    duties."""
    title = report_title(report)
    book = Workbook(title=title)
    subtitle = gettext("%(first)s to %(last)s; written on %(today)s from the records.",
                       first=report.first.isoformat(), last=report.last.isoformat(),
                       today=today.isoformat())
    book.table(gettext("Figures"), title, [Column(gettext("Figure"), "text", 36),
                                            Column(gettext("Value"), "int", 12)],
               figures(report), subtitle=subtitle)
    book.table(gettext("By stage and gender"), title, [
        Column(gettext("School stage"), "text", 16), Column(str(Gender.MALE.label), "int", 8),
        Column(str(Gender.FEMALE.label), "int", 8), Column(gettext("Total"), "int", 8)],
        stage_rows(report), subtitle=subtitle)
    book.table(gettext("Duties of care"), title, [
        Column(gettext("Duty"), "text", 24), Column(gettext("Done"), "int", 8),
        Column(gettext("Due"), "int", 8)], report.duties, subtitle=subtitle)
    book.table(gettext("Notes"), title, [Column(gettext("Note"), "text", 100)],
               ((note,) for note in notes(report)), subtitle=subtitle)
    return book
