"""Every chapter page is a lesson: objectives at the top, pitfalls before the exercises,
every exercise marked with its level, and conceptual questions answered in words.

- An admonition with the class ``objectives`` comes before the page's first ``##`` heading.
- An admonition with the class ``pitfalls`` comes after the main text and before the first
  exercise.
- Every ``{exercise}`` carries exactly one of the classes ``basic`` and ``advanced``; a page has
  at least two ``basic`` ones.
- At least two exercises per page carry the class ``concept``; each has a solution, and that
  solution holds no code cell (it is answered in words or a small sketch).
- The twins agree: the same classes on the same exercises.
"""
from __future__ import annotations

import re

import pytest

from tests.helpers.pages import BOOK, Cell, cells, split_fences

CHAPTERS = sorted(p.name for p in (BOOK / "en").glob("[0-9][0-9]_*.ipynb"))
CLASS = re.compile(r"(?m)^:class:\s*(?P<classes>.+?)\s*$")
LABEL = re.compile(r"(?m)^:label:\s*(?P<label>\S+)\s*$")


def directives(cell: Cell) -> list[tuple[str, str]]:
    """(directive, text) of the MyST directives in a markdown cell, options included."""
    if cell.kind != "markdown":
        return []
    return [(d, t) for kind, d, t in split_fences(cell.source) if kind == "directive"]


def classes(text: str) -> set[str]:
    m = CLASS.search(text)
    return set(m["classes"].split()) if m else set()


def admonitions(page: list[Cell], cls: str) -> list[int]:
    """Cell indices of admonitions that carry the class ``cls``."""
    return [c.index for c in page for d, t in directives(c) if d == "admonition" and cls in classes(t)]


def first_heading(page: list[Cell], level: int) -> int:
    pattern = re.compile(rf"(?m)^{'#' * level}\s")
    for c in page:
        if c.kind == "markdown" and any(k is None and pattern.search(t) for k, _, t in split_fences(c.source)):
            return c.index
    return len(page)


def exercise_list(page: list[Cell]) -> list[tuple[int, str, set[str]]]:
    """(cell index, label, classes) of every exercise, in order."""
    out = []
    for c in page:
        for d, t in directives(c):
            if d == "exercise":
                m = LABEL.search(t)
                out.append((c.index, m["label"] if m else "", classes(t)))
    return out


def solution_cells(page: list[Cell], label: str) -> list[Cell] | None:
    """The cells of the exercise's solution: a {solution} directive is one markdown cell; a
    solution-start … solution-end pair spans the cells between them (both included)."""
    for c in page:
        for d, t in directives(c):
            first = t.splitlines()[0].strip() if t.strip() else ""
            if d == "solution" and first == label:
                return [c]
            if d == "solution-start" and first == label:
                span = []
                for later in page[c.index:]:
                    span.append(later)
                    if any(dd == "solution-end" for dd, _ in directives(later)):
                        return span
                return span
    return None


@pytest.fixture(params=[(e, n) for n in CHAPTERS for e in ("ko", "en")], ids=lambda p: f"{p[0]}/{p[1]}")
def page(request):
    edition, name = request.param
    return f"{edition}/{name}", cells(BOOK / edition / name)


def test_there_are_sixteen_chapter_pages():
    assert len(CHAPTERS) == 8
    assert all((BOOK / "ko" / n).exists() for n in CHAPTERS)


def test_objectives_at_the_top(page):
    where, cs = page
    found = admonitions(cs, "objectives")
    assert found, f"{where}: no admonition with :class: objectives"
    h = first_heading(cs, 2)
    before = found[0] < h or (found[0] == h and cs[h].source.find("objectives") < re.search(r"(?m)^##\s", cs[h].source).start())
    assert before, f"{where}: the objectives (cell {found[0]}) come after the first ## heading"


def test_pitfalls_before_the_exercises(page):
    where, cs = page
    found = admonitions(cs, "pitfalls")
    ex = exercise_list(cs)
    assert found, f"{where}: no admonition with :class: pitfalls"
    assert ex, f"{where}: no exercises"
    assert found[-1] < ex[0][0], f"{where}: the pitfalls (cell {found[-1]}) come after the first exercise"


def test_every_exercise_has_a_level(page):
    where, cs = page
    ex = exercise_list(cs)
    wrong = [label for _, label, cl in ex if len(cl & {"basic", "advanced"}) != 1]
    assert not wrong, f"{where}: exercises without exactly one of basic/advanced: {wrong}"
    basic = [label for _, label, cl in ex if "basic" in cl]
    assert len(basic) >= 2, f"{where}: {len(basic)} basic exercises, want at least 2"


def test_concept_questions_answered_in_words(page):
    where, cs = page
    concept = [label for _, label, cl in exercise_list(cs) if "concept" in cl]
    assert len(concept) >= 2, f"{where}: {len(concept)} concept questions, want at least 2"
    for label in concept:
        sol = solution_cells(cs, label)
        assert sol, f"{where}: concept question {label} has no solution"
        code = [c.index for c in sol if c.kind == "code"]
        assert not code, f"{where}: the solution of concept question {label} holds code cells {code}"


@pytest.mark.parametrize("name", CHAPTERS)
def test_twins_mark_the_same_levels(name):
    ko = [(label.removeprefix("ko-"), sorted(cl)) for _, label, cl in exercise_list(cells(BOOK / "ko" / name))]
    en = [(label.removeprefix("en-"), sorted(cl)) for _, label, cl in exercise_list(cells(BOOK / "en" / name))]
    assert ko == en, f"{name}: the twins' exercise classes differ"


def test_the_checks_read_what_they_should():
    md = ("# T\n\n```{admonition} Goals\n:class: objectives\n- a\n```\n\n## One\n\n"
          "```{exercise}\n:label: en-x-ex1\n:class: basic concept\nWhy?\n```\n\n"
          "```{solution} en-x-ex1\n:class: dropdown\nBecause.\n```")
    cs = [Cell(0, "markdown", md)]
    assert admonitions(cs, "objectives") == [0] and first_heading(cs, 2) == 0
    assert exercise_list(cs) == [(0, "en-x-ex1", {"basic", "concept"})]
    assert solution_cells(cs, "en-x-ex1") == cs
    assert solution_cells(cs, "en-x-ex2") is None


def admonition_titles(edition: str, cls: str) -> dict[str, str]:
    """page → the title of its admonition with the class ``cls`` (its first, if several)."""
    titles = {}
    for name in CHAPTERS:
        page = cells(BOOK / edition / name)
        for c in page:
            found = [t for d, t in directives(c) if d == "admonition" and cls in classes(t)]
            if found:
                titles[name] = found[0].splitlines()[0].strip()
                break
    return titles


@pytest.mark.parametrize("cls", ["objectives", "pitfalls"])
@pytest.mark.parametrize("edition", ["ko", "en"])
def test_every_page_names_its_objectives_and_pitfalls_alike(edition, cls):
    """A reader who met "Learning objectives" on one page finds the same words on the next."""
    titles = admonition_titles(edition, cls)
    assert len(set(titles.values())) == 1, f"{edition}: the {cls} boxes have different titles: {titles}"
