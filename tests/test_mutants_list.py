"""The mutation check's list stays applicable: every mutant's original text occurs exactly
once in its file, names a module the check covers and test files that exist. Cheap, so it
runs in `make test`; the mutation run itself is `make mutate` (see TESTING.md)."""

from __future__ import annotations

from tests.mutation import run


def test_every_mutant_applies_to_the_code_as_it_is():
    mutants = run.load()
    assert len(mutants) >= 80
    assert run.stale(mutants) == []


def test_every_mutant_says_what_it_breaks_and_equivalents_say_why():
    for mutant in run.load():
        assert mutant.description.strip(), mutant.number
        assert mutant.equivalent == "" or len(mutant.equivalent) > 20, mutant.name


def test_a_stale_mutant_is_reported(tmp_path):
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "stock.py").write_text("x = 1\nx = 1\n")
    mutants = [run.Mutant(1, "models/stock.py", "x = 1", "x = 2", "twice"),
               run.Mutant(2, "models/stock.py", "y = 1", "y = 2", "gone"),
               run.Mutant(3, "views/base.py", "a", "b", "not covered")]
    problems = run.stale(mutants, root=tmp_path)
    assert [p.split(":")[0] for p in problems] == ["#1 models/stock.py", "#2 models/stock.py",
                                                   "#3 views/base.py"]
