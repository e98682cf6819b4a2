"""Twin pages are equal in structure, not only in code.

book/ko/X and book/en/X (notebooks and .md pages) must have the same cells (kinds, in order),
the same headings (levels, in the same cells), the same exercises and solutions (labels that
differ only in their ko-/en- prefix), the same labels, the same figures (per cell; MyST-NB
figure names ko-fig-<short> / en-fig-<short>), the same citations per cell, and link the same
glossary entries. tests/test_notebooks.py compares the code itself.
"""
from __future__ import annotations

import collections
import itertools
import re

import pytest

from tests.helpers.pages import (BOOK, KO_TERM, Cell, cells, citations, exercises, figure_count, figure_name,
                   glossary, headings, labels, roles, solutions, term_target, twin_names, where)

NAMES = twin_names()
NOTEBOOKS = [n for n in NAMES if n.endswith(".ipynb")]


def pair(name: str) -> tuple[list[Cell], list[Cell]]:
    return cells(BOOK / "ko" / name), cells(BOOK / "en" / name)


def unprefixed(label: str, edition: str) -> str:
    return label[len(edition) + 1:] if label.startswith(f"{edition}-") else f"<no {edition}- prefix: {label}>"


def test_there_are_twins():
    assert len(NOTEBOOKS) >= 8 and "index.md" in NAMES and "glossary.md" in NAMES


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_same_cells(name):
    """Cell numbers name the same place in both editions (the issues rely on it)."""
    ko, en = pair(name)
    kinds = [c.kind for c in ko], [c.kind for c in en]
    first = next((i for i, (a, b) in enumerate(zip(*kinds)) if a != b), min(map(len, kinds)))
    assert kinds[0] == kinds[1], (
        f"{name}: {len(ko)} cells in ko, {len(en)} in en; they first differ at cell {first} "
        f"(ko {kinds[0][first:first + 1]}, en {kinds[1][first:first + 1]})")


def heading_list(path_cells: list[Cell]) -> list[tuple[int, int, str]]:
    return [(c.index, level, text) for c in path_cells if c.kind == "markdown" for level, text in headings(c.source)]


def show(h: tuple[int, int, str], md: bool) -> str:
    cell, level, text = h
    mark = "{rubric}" if level == 0 else "#" * level
    return f"{mark} {text}" if md else f"cell {cell}: {mark} {text}"


@pytest.mark.parametrize("name", NAMES)
def test_same_headings(name):
    """Same heading levels, same count, in the same order (and, in notebooks, in the same cells),
    so the two tables of contents agree."""
    ko, en = (heading_list(c) for c in pair(name))
    md = name.endswith(".md")
    key = (lambda h: h[1]) if md else (lambda h: (h[0], h[1]))
    if [key(h) for h in ko] == [key(h) for h in en]:
        return
    only_ko = [show(h, md) for h in ko if key(h) not in [key(e) for e in en]]
    only_en = [show(h, md) for h in en if key(h) not in [key(k) for k in ko]]
    table = "\n".join(f"  ko {show(a, md) if a else '':<50} | en {show(b, md) if b else ''}"
                      for a, b in itertools.zip_longest(ko, en))
    pytest.fail(f"{name}: headings differ ({len(ko)} in ko, {len(en)} in en)\n"
                f"  only in ko: {only_ko}\n  only in en: {only_en}\n{table}")


@pytest.mark.parametrize("name", NAMES)
def test_twin_link_shows_the_twins_title(name):
    """`*English edition: [Title](../en/X)*` names the English page by its current title."""
    for edition, other in (("ko", "en"), ("en", "ko")):
        first = cells(BOOK / edition / name)[0].source
        link = re.search(rf"\[([^\]]*)\]\(\.\./{other}/{re.escape(name)}\)", first)
        title = next((text for level, text in headings(cells(BOOK / other / name)[0].source) if level == 1), None)
        assert link and link[1] == title, (
            f"{edition}/{name}: the twin link reads {link[1] if link else None!r}, "
            f"but {other}/{name} is titled {title!r}")


@pytest.mark.parametrize("name", NAMES)
def test_same_exercises_and_solutions(name):
    ko, en = pair(name)
    for what, read in (("exercise", exercises), ("solution", solutions)):
        k = [(c.index, unprefixed(lbl, "ko")) for c in ko if c.kind == "markdown" for lbl in read(c.source)]
        e = [(c.index, unprefixed(lbl, "en")) for c in en if c.kind == "markdown" for lbl in read(c.source)]
        assert k == e, f"{name}: the {what}s differ (cell, label without ko-/en-)\n  ko: {k}\n  en: {e}"
    unlabeled = [where(BOOK / ed / name, c) for ed, cs in (("ko", ko), ("en", en)) for c in cs
                 if c.kind == "markdown" and "" in exercises(c.source)]
    assert not unlabeled, f"exercises without a :label: at {unlabeled}"


@pytest.mark.parametrize("name", NAMES)
def test_same_labels(name):
    """Every label (MyST target, :label:, figure name) has its twin: ko-X on the Korean page
    exactly where en-X is on the English page."""
    ko, en = pair(name)
    k = sorted((c.index, unprefixed(lbl, "ko")) for c in ko for lbl in labels(c))
    e = sorted((c.index, unprefixed(lbl, "en")) for c in en for lbl in labels(c))
    assert k == e, (f"{name}: labels differ (cell, label without ko-/en-)\n"
                    f"  only in ko: {sorted(set(k) - set(e))}\n  only in en: {sorted(set(e) - set(k))}")


@pytest.mark.parametrize("name", NAMES)
def test_same_figures(name):
    ko, en = pair(name)
    k, e = [figure_count(c) for c in ko], [figure_count(c) for c in en]
    assert sum(k) == sum(e), f"{name}: {sum(k)} figures in ko, {sum(e)} in en"
    differ = [(c.index, a, b) for c, a, b in zip(ko, k, e) if a != b]
    assert not differ, f"{name}: figures per cell differ (cell, ko, en): {differ}"
    for a, b in zip(ko, en):
        na, nb = figure_name(a), figure_name(b)
        if na or nb:
            assert na and nb and unprefixed(na, "ko") == unprefixed(nb, "en"), (
                f"{name} cell {a.index}: figure names {na!r} (ko) and {nb!r} (en) must be "
                f"ko-fig-<short> and en-fig-<short> with the same <short>")


@pytest.mark.parametrize("name", NAMES)
def test_same_citations(name):
    ko, en = pair(name)
    for a, b in zip(ko, en):
        k = sorted(unprefixed(key, "ko") for key in citations(a.source))
        e = sorted(unprefixed(key, "en") for key in citations(b.source))
        assert k == e, f"{name}, {'page' if name.endswith('.md') else f'cell {a.index}'}: ko cites {k}, en cites {e}"


def glossary_keys() -> tuple[dict[str, str], dict[str, str]]:
    """Each edition's glossary terms (lower case) -> one key per entry shared by both editions:
    the first English term of the entry."""
    en = {}
    for terms in glossary("en"):
        for t in terms:
            en[t.lower()] = terms[0].lower()
    ko = {}
    for terms in glossary("ko"):
        m = KO_TERM.match(terms[0])
        english = m["en"].lower() if m else terms[0].lower()
        ko[terms[0].lower()] = en.get(english, english)
    return ko, en


@pytest.mark.parametrize("name", [n for n in NAMES if n != "glossary.md"])
def test_same_glossary_links(name):
    """Both editions of a page link the same glossary entries ({term} roles; the first use of
    a term on each page links the edition's glossary)."""
    keys = dict(zip(("ko", "en"), glossary_keys()))
    found = {}
    for edition, page in zip(("ko", "en"), pair(name)):
        found[edition] = collections.defaultdict(list)
        for c in page:
            if c.kind == "markdown":
                for body in roles(c.source, "term"):
                    target = term_target(body)
                    found[edition][keys[edition].get(target.lower(), f"<not in the glossary: {target}>")].append(c.index)
    only_ko = {k: v for k, v in found["ko"].items() if k not in found["en"]}
    only_en = {k: v for k, v in found["en"].items() if k not in found["ko"]}
    assert not only_ko and not only_en, (
        f"{name}: glossary entries linked on one edition only (entry: cells)\n"
        f"  only ko links: {only_ko}\n  only en links: {only_en}")


# --- the checks themselves ---------------------------------------------------------------

def test_the_readers_see_what_they_should():
    from tests.helpers.pages import prose, split_fences
    md = "# Title\n\n```python\n# not a heading\n```\n\n```{exercise}\n:label: ko-x-ex1\nText\n```\n\n## Two"
    assert headings(md) == [(1, "Title"), (2, "Two")]
    assert exercises(md) == ["ko-x-ex1"]
    assert [b[1] for b in split_fences(md) if b[0]] == [None, "exercise"]
    assert prose("a {term}`합성곱 <합성곱(convolution)>` `code` $x$ b") .split() == ["a", "합성곱", "b"]
    figure = Cell(0, "code", "", {}, ({"data": {"image/png": ""}}, {"data": {"text/plain": ""}}))
    assert figure_count(figure) == 1
