"""`make mutate`: which rules protecting children's data the suite really guards.

Each mutant of tests/mutation/mutants.toml is one small change to one rule (a boundary, a
negated test, a dropped filter, a removed audit write...). One at a time, in a copy of the
repository (the working tree is never touched), the mutant is applied and the suite run:
first the mutant's own test files, then, if they all pass, the rest. A failing suite kills
the mutant; a passing one lets it survive, which is a missing test (or a change that cannot
be seen: then the mutant is marked `equivalent` with the reason and not run). The figures
and every survivor go to TESTING.md.

    .venv/bin/python tests/mutation/run.py            # every mutant, TESTING.md written
    .venv/bin/python tests/mutation/run.py -k stock   # those whose file or text has "stock"
    .venv/bin/python tests/mutation/run.py --quick    # own test files only (not written)
    .venv/bin/python tests/mutation/run.py --only 3,17  # these mutants (not written)
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MUTANTS = Path(__file__).with_name("mutants.toml")
REPORT = ROOT / "TESTING.md"
# The modules whose rules the mutants cover (issue 19, item 9).
MUTATED = ("admin_app/access.py", "admin_app/masking.py", "admin_app/xlsx.py",
           "admin_app/sealing.py", "admin_app/audit.py", "admin_app/importing/",
           "models/validators.py", "models/sealed.py", "models/stock.py", "models/followup.py",
           "models/duties.py", "views/duties.py", "admin_app/reports/reminders.py",
           # The gate, sign-in throttling, the security headers, the guard against NUL.
           "views/base.py", "admin_app/throttle.py", "admin_app/headers.py",
           "admin_app/guard.py",
           # The reports upward: 附件1's ID numbers and boxes, the work report's rates, and
           # the approval that keys each sensitive export.
           "admin_app/reports/registration.py", "admin_app/reports/work_report.py",
           "views/exporting.py",
           # 慰问 rounds: one gift a child, the list of those not given.
           "admin_app/rounds.py")
# The list's own check fails for any mutant applied (its original text is gone): never a kill.
PYTEST = ("-x", "-q", "-p", "no:cacheprovider", "--ignore=tests/browser",
          "--ignore=tests/test_mutants_list.py")
TIMEOUT = 1200  # seconds for one run of the suite; longer counts as killed (a hang)
KILLED, SURVIVED, EQUIVALENT = "killed", "survived", "equivalent"


@dataclass
class Mutant:
    number: int
    file: str
    original: str
    replacement: str
    description: str
    tests: list[str] = field(default_factory=list)
    equivalent: str = ""
    # Shown in TESTING.md if the mutant survives: why no test can or does catch it.
    note: str = ""

    @property
    def name(self) -> str:
        return f"#{self.number} {self.file}: {self.description}"


def load(path: Path = MUTANTS) -> list[Mutant]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    defaults = data.get("tests", {})
    mutants = []
    for number, entry in enumerate(data["mutant"], start=1):
        tests = entry.pop("tests", None) or defaults.get(entry["file"], [])
        mutants.append(Mutant(number=number, tests=list(tests), **entry))
    return mutants


def stale(mutants: list[Mutant], root: Path = ROOT) -> list[str]:
    """Why each stale mutant cannot be applied: its file is gone or outside the mutated
    modules, its original text does not occur exactly once, or it changes nothing."""
    problems = []
    for mutant in mutants:
        path = root / mutant.file
        if not mutant.file.startswith(MUTATED):
            problems.append(f"{mutant.name}: not one of the mutated modules")
        elif not path.is_file():
            problems.append(f"{mutant.name}: no such file")
        elif (found := path.read_text(encoding="utf-8").count(mutant.original)) != 1:
            problems.append(f"{mutant.name}: the original text occurs {found} times, not once")
        elif mutant.original == mutant.replacement:
            problems.append(f"{mutant.name}: the replacement is the original")
        for test in mutant.tests:
            if not (root / test).is_file():
                problems.append(f"{mutant.name}: no test file {test}")
    return problems


@dataclass
class Outcome:
    mutant: Mutant
    result: str
    by: str = ""  # the failing test, or "timeout"
    seconds: float = 0.0


def _copy(target: Path) -> Path:
    """The repository's files as they are now (tracked and new, not ignored) in `target`."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], cwd=ROOT, capture_output=True, check=True)
    for name in listed.stdout.decode().split("\0"):
        if name and (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    return target


def _environment(copy: Path) -> dict:
    env = dict(os.environ)
    # The copy's modules, not the editable install's; and no .pyc that could outlive a
    # mutant written within the same second as the original.
    env.update(PYTHONPATH=str(copy), PYTHONDONTWRITEBYTECODE="1")
    return env


def _pytest(copy: Path, args: list[str]) -> tuple[bool, str]:
    """(passed, the first failing test or an empty string)."""
    try:
        run = subprocess.run([sys.executable, "-m", "pytest", *PYTEST, *args], cwd=copy,
                             env=_environment(copy), capture_output=True, text=True,
                             timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return False, "timeout"
    if run.returncode == 0:
        return True, ""
    if run.returncode == 5:
        raise RuntimeError(f"pytest collected no tests: {args}")
    failed = re.search(r"^(?:FAILED|ERROR) (\S+)", run.stdout, re.MULTILINE)
    return False, failed.group(1) if failed else f"pytest exit {run.returncode}"


def _check_copy_is_used(copy: Path) -> None:
    found = subprocess.run([sys.executable, "-c", "import admin_app; print(admin_app.__file__)"],
                           cwd=copy, env=_environment(copy), capture_output=True, text=True,
                           check=True).stdout.strip()
    if not Path(found).resolve().is_relative_to(copy.resolve()):
        raise RuntimeError(f"the copy's code is not the code tested: {found}")


def attack(copy: Path, mutant: Mutant, quick: bool) -> Outcome:
    """Apply `mutant` in the copy, run its tests (then the rest), put the original back."""
    if mutant.equivalent:
        return Outcome(mutant, EQUIVALENT)
    path = copy / mutant.file
    original = path.read_text(encoding="utf-8")
    started = time.monotonic()
    try:
        path.write_text(original.replace(mutant.original, mutant.replacement, 1),
                        encoding="utf-8")
        passed, by = _pytest(copy, mutant.tests) if mutant.tests else (True, "")
        if passed and not quick:
            passed, by = _pytest(copy, [f"--ignore={test}" for test in mutant.tests])
    finally:
        path.write_text(original, encoding="utf-8")
    return Outcome(mutant, SURVIVED if passed else KILLED, by, time.monotonic() - started)


def baseline(copy: Path, mutants: list[Mutant]) -> None:
    """The mutants' own test files pass on the unmutated code (else every mutant 'dies')."""
    files = sorted({test for mutant in mutants if not mutant.equivalent for test in mutant.tests})
    passed, by = _pytest(copy, files)
    if not passed:
        raise SystemExit(f"the unmutated code fails its own tests ({by}); fix that first")


def report(outcomes: list[Outcome], seconds: float, command: str) -> str:
    counts = {kind: sum(o.result == kind for o in outcomes)
              for kind in (KILLED, SURVIVED, EQUIVALENT)}
    scored = counts[KILLED] + counts[SURVIVED]
    score = 100 * counts[KILLED] / scored if scored else 100.0
    lines = [
        "# Mutation testing",
        "",
        "What the suite really guards in the rules that protect children's data. Each mutant",
        "of `tests/mutation/mutants.toml` is one deliberate small bug (a boundary moved, a",
        "test negated, a filter, audit write or quote prefix dropped, a keyed hash made",
        "unkeyed...) in `admin_app/access.py`, `masking.py`, `xlsx.py`, `sealing.py`,",
        "`audit.py`, `importing/`, `models/validators.py`, `sealed.py`, `stock.py` and",
        "`followup.py`. `tests/mutation/run.py` applies them one at a time to a copy of the",
        "repository and runs the suite (SQLite, browser tests left out): the mutant's own",
        "test files first, then the rest. A mutant is *killed* when some test fails, *survives*",
        "when none does (a missing test), and is *equivalent* when no behaviour can tell it",
        "from the original (not run; the reason is given below). The score is killed /",
        "(killed + survived). Not part of `make test` or CI: refresh it (`make mutate`) when",
        "these modules change. `tests/test_mutants_list.py` (in `make test`) fails when a",
        "mutant's original text no longer occurs exactly once.",
        "",
        f"- Command: `{command}`",
        f"- Run: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {seconds / 60:.0f} minutes",
        f"- Mutants: {len(outcomes)} — killed {counts[KILLED]}, survived {counts[SURVIVED]}, "
        f"equivalent {counts[EQUIVALENT]}",
        f"- **Score: {score:.1f}%** of non-equivalent mutants killed (target 95%)",
        "",
        "## Survivors",
        "",
    ]
    survivors = [o for o in outcomes if o.result == SURVIVED]
    lines += [f"- {o.mutant.name}. {o.mutant.note or 'No test fails: a missing test.'}"
              for o in survivors] or ["None."]
    lines += ["", "## Equivalent mutants", ""]
    lines += [f"- {o.mutant.name}. {o.mutant.equivalent}"
              for o in outcomes if o.result == EQUIVALENT] or ["None."]
    lines += ["", "## Every mutant", "", "| # | file | mutant | result | first failing test |",
              "| --- | --- | --- | --- | --- |"]
    for o in outcomes:
        by = f"`{o.by}`" if o.by else ""
        lines.append(f"| {o.mutant.number} | `{o.mutant.file}` | {o.mutant.description} | "
                     f"{o.result} | {by} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-k", dest="match", help="only mutants whose file, text or "
                        "description contains this")
    parser.add_argument("--only", help="only these mutants, by number: 3,17,40")
    parser.add_argument("--quick", action="store_true",
                        help="each mutant's own test files only; TESTING.md is not written")
    parser.add_argument("--jobs", type=int, default=1, help="mutants run side by side")
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip the check that the unmutated code passes")
    args = parser.parse_args(argv)
    mutants = load()
    problems = stale(mutants)
    if problems:
        print("Stale mutants (refresh tests/mutation/mutants.toml):", *problems, sep="\n  ")
        return 2
    numbers = {int(n) for n in args.only.split(",")} if args.only else None
    chosen = [m for m in mutants if (numbers is None or m.number in numbers) and (
        not args.match or any(args.match in text
                              for text in (m.file, m.original, m.replacement, m.description)))]
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="mutate-") as folder:
        copies = [_copy(Path(folder) / f"copy{n}") for n in range(max(args.jobs, 1))]
        _check_copy_is_used(copies[0])
        if not args.no_baseline:
            baseline(copies[0], chosen)
        free = list(copies)

        def one(mutant: Mutant) -> Outcome:
            copy = free.pop()
            try:
                outcome = attack(copy, mutant, args.quick)
            finally:
                free.append(copy)
            print(f"{outcome.result:10} {outcome.seconds:5.0f}s  {mutant.name}"
                  + (f"  [{outcome.by}]" if outcome.by else ""), flush=True)
            return outcome

        with ThreadPoolExecutor(max_workers=len(copies)) as pool:
            outcomes = list(pool.map(one, chosen))
    seconds = time.monotonic() - started
    killed = sum(o.result == KILLED for o in outcomes)
    scored = sum(o.result != EQUIVALENT for o in outcomes)
    print(f"killed {killed} of {scored} non-equivalent mutants "
          f"({100 * killed / max(scored, 1):.1f}%) in {seconds / 60:.1f} minutes")
    if not (args.quick or args.match or args.only):
        command = "make mutate" + (f" MUTATE_ARGS='--jobs {args.jobs}'" if args.jobs > 1 else "")
        REPORT.write_text(report(outcomes, seconds, command), encoding="utf-8")
        print(f"written {REPORT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
