"""The PDF of each edition (`make pdf`, _ext/make_pdf.py), read back with pypdf.

The session builds the book once (tests/helpers/bookbuild.py, shared with test_book and
test_browser) and prints both PDFs from it, then checks in each: every font embedded, and
Hangul drawn with the book's own font; every page's numbered title in the text and in the
bookmarks, in the order of _toc.yml; every code line present and no text past the page's
right edge (a cut line); a page count in a sane range. The last tests show that the checks
catch a broken PDF: one printed without the wrap rule, one whose fonts are not embedded.

Needs Debian's `chromium` and `chromium-driver`, like tests/test_browser.py: skipped
without them on a developer's machine, a failure in CI.
"""
from __future__ import annotations

import io
import re
import sys
import unicodedata
from functools import lru_cache
from pathlib import Path

import pytest

from tests.helpers import bookbuild
from tests.helpers.browser import chromium, require_browser, serve
from tests.helpers.pages import HANGUL, cells, headings

sys.path.insert(0, str(bookbuild.ROOT / "_ext"))
import make_pdf  # noqa: E402  (_ext/make_pdf.py)

EDITIONS = ("ko", "en")
MM = 72 / 25.4  # PDF points per millimetre
MARGIN_LEFT = MARGIN_RIGHT = 15 * MM  # _ext/print.css: @page margin
TOLERANCE = 2.0  # points: a glyph's advance may end a hair past the content box
PAGES_RANGE = (40, 800)  # a sane page count for one edition
REMOVED = ("remove-input", "remove-cell")  # cells whose code the book does not show


@pytest.fixture(scope="session")
def site() -> Path:
    """The built site (one strict build per test session)."""
    require_browser("the PDF test")
    build = bookbuild.build_book()
    assert build.returncode == 0, f"the book did not build:\n{build.output[-3000:]}"
    return bookbuild.HTML


@pytest.fixture(scope="session")
def pdfs(site) -> dict[str, dict]:
    """Both PDFs, printed from the site; their numbers go to the test summary."""
    report = make_pdf.build(site, make_pdf.OUT, log=lambda line: None)
    total = sum(r["seconds"] for r in report.values())
    bookbuild.REPORT.append(f"PDFs printed in {total:.0f} s: " + ", ".join(
        f"{lang} {r['pages']} pages, {r['bytes'] / 1e6:.1f} MB" for lang, r in report.items()))
    return report


@lru_cache(maxsize=None)
def reader(path: Path):
    from pypdf import PdfReader

    return PdfReader(path)


@lru_cache(maxsize=None)
def page_runs(path: Path) -> tuple[list, ...]:
    """The text runs of every page (see text_runs), read once per PDF: the slow part."""
    return tuple(text_runs(page) for page in reader(path).pages)


@lru_cache(maxsize=None)
def pdf_text(path: Path) -> str:
    """The PDF's text in drawing order, squeezed (see squeeze)."""
    return squeeze("".join(text for runs in page_runs(path) for text, *_ in runs))


def squeeze(text: str) -> str:
    """Text without any whitespace, ligatures spelled out (ﬂ: fl): a line wrapped at the
    page edge reads as the line itself."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


# --- what a PDF holds ---------------------------------------------------------------------

def fonts(pdf) -> dict[str, bool]:
    """Every font the pages use (also inside form XObjects): its name, and whether its
    program is embedded (FontFile, FontFile2 or FontFile3 in its descriptor)."""
    found: dict[str, bool] = {}

    def descriptor_embedded(font) -> bool:
        descriptor = font.get("/FontDescriptor")
        descriptor = descriptor.get_object() if descriptor is not None else None
        return descriptor is not None and any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))

    def visit(resources, seen):
        resources = resources.get_object() if resources is not None else None
        if not resources or id(resources) in seen:
            return
        seen.add(id(resources))
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            parts = [d.get_object() for d in font.get("/DescendantFonts", [])] or [font]
            found[str(font.get("/BaseFont"))] = all(descriptor_embedded(p) for p in parts)
        for xobject in (resources.get("/XObject") or {}).values():
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Form":
                visit(xobject.get("/Resources"), seen)

    seen: set[int] = set()
    for page in pdf.pages:
        visit(page.get("/Resources"), seen)
    return found


def text_runs(page) -> list[tuple[str, float, float, str]]:
    """(text, left x, right x, font name) of every text-showing operator of a page, in
    page coordinates (points from the left edge). Chromium shows one glyph per operator.

    pypdf measures where each glyph ends for its layout-mode text extraction; this reads
    those measurements (pypdf is pinned in requirements.txt: the helpers are private)."""
    from pypdf.generic import ContentStream
    from pypdf._text_extraction._layout_mode import _fixed_width_page as layout
    from pypdf._text_extraction._layout_mode._text_state_manager import TextStateManager

    contents = page.get("/Contents")
    if contents is None:
        return []
    fonts_ = page._layout_mode_fonts()
    ops = iter(ContentStream(contents.get_object(), page.pdf, "bytes").operations)
    state, runs = TextStateManager(), []
    for operands, op in ops:
        if op in (b"BT", b"q"):
            _, shown = layout.recurse_to_target_op(ops, state, b"ET" if op == b"BT" else b"Q", fonts_, True)
            runs += [(tj.text, tj.tx, tj.displaced_tx, tj.font.name) for tj in shown]
        elif op == b"cm":
            state.add_cm(*operands)
        elif op == b"Tf":
            layout.set_font_operation(state, fonts_, operands)
        else:
            state.set_state_param(op, operands)
    return runs


def runs_past_the_edges(pdf, runs_of_pages=None) -> list[str]:
    """Text outside the printable area, left or right: a line cut at the page edge."""
    out = []
    runs_of_pages = runs_of_pages or [text_runs(page) for page in pdf.pages]
    for number, (page, runs) in enumerate(zip(pdf.pages, runs_of_pages), 1):
        width = float(page.mediabox.width)
        for text, left, right, _ in runs:
            if text.strip() and (right > width - MARGIN_RIGHT + TOLERANCE or left < MARGIN_LEFT - TOLERANCE):
                out.append(f"page {number}: {text!r} at x = {left:.0f}..{right:.0f} pt (page {width:.0f} pt)")
    return out


def page_title(page: str) -> str:
    """The page's `#` title as its source writes it, markup removed."""
    for cell in cells(bookbuild.source_of(page)):
        if cell.kind == "markdown":
            for level, text in headings(cell.source):
                if level == 1:
                    return re.sub(r"[`*]|\{[\w-]+\}", "", text).strip()
    raise AssertionError(f"{page} has no `#` title")


def section_number(page: str) -> str:
    """The number the built page puts before its title ("1.3. "), or "" for the appendix."""
    html = (bookbuild.HTML / f"{page}.html").read_text(encoding="utf-8")
    number = re.search(r'<h1[^>]*><span class="section-number">([^<]*)</span>', html)  # <h1 lang="en"> too
    return number[1].strip() if number else ""


def code_lines(page: str) -> list[str]:
    """Every non-blank line of the page's shown code cells."""
    source = bookbuild.source_of(page)
    if source.suffix != ".ipynb":
        return []
    return [line for cell in cells(source) if cell.kind == "code"
            and not set(cell.metadata.get("tags", [])) & set(REMOVED)
            for line in cell.source.splitlines() if line.strip()]


# --- the checks ---------------------------------------------------------------------------

@pytest.mark.parametrize("lang", EDITIONS)
def test_every_font_is_embedded_and_hangul_is_the_books_font(pdfs, lang):
    pdf = reader(pdfs[lang]["file"])
    found = fonts(pdf)
    assert found, f"{lang}: the PDF uses no font at all"
    assert not [name for name, embedded in found.items() if not embedded], (
        f"{lang}: fonts not embedded: {[n for n, e in found.items() if not e]}")
    if lang == "ko":
        assert any("BookHangul-Regular" in name for name in found), (
            f"ko: the book's Hangul font (Book Hangul, _static/fonts/) is not in the PDF: {sorted(found)}")
        # Hangul drawn in any other font (a Korean font that happens to be installed on the
        # printing machine) would make the PDF depend on that machine.
        other = {font for runs in page_runs(pdfs[lang]["file"]) for text, _, _, font in runs
                 if HANGUL.search(text) and "BookHangul" not in font}
        assert not other, f"ko: Hangul drawn in fonts other than Book Hangul: {other}"


@pytest.mark.parametrize("lang", EDITIONS)
def test_every_page_title_is_in_the_text_in_the_books_order(pdfs, lang):
    text = pdf_text(pdfs[lang]["file"])
    where, missing = [], []
    for page in make_pdf.toc_pages(lang):
        heading = squeeze(section_number(page) + page_title(page))
        at = text.find(heading, where[-1] if where else 0)
        (missing.append(f"{page}: {heading}") if at < 0 else where.append(at))
    assert not missing, f"{lang}: page titles missing from the PDF text (or out of order): {missing}"
    bookmarks = [squeeze(item.title) for item in reader(pdfs[lang]["file"]).outline if not isinstance(item, list)]
    expected = [squeeze(section_number(p) + page_title(p)) for p in make_pdf.toc_pages(lang)]
    assert bookmarks == expected, f"{lang}: the PDF's bookmarks are not the pages in order"


@pytest.mark.parametrize("lang", EDITIONS)
def test_every_code_line_is_printed_whole(pdfs, lang):
    pdf = reader(pdfs[lang]["file"])
    past = runs_past_the_edges(pdf, page_runs(pdfs[lang]["file"]))
    assert not past, f"{lang}: {len(past)} glyphs outside the printable area (a cut line?): {past[:10]}"
    text = pdf_text(pdfs[lang]["file"])
    missing = [f"{page}: {line.strip()}" for page in make_pdf.toc_pages(lang)
               for line in code_lines(page) if squeeze(line) not in text]
    assert not missing, f"{lang}: {len(missing)} code lines not in the PDF text: {missing[:10]}"


@pytest.mark.parametrize("lang", EDITIONS)
def test_page_count_is_sane(pdfs, lang):
    pages = len(reader(pdfs[lang]["file"]).pages)
    low, high = PAGES_RANGE
    assert low <= pages <= high, f"{lang}: {pages} pages, expected {low}..{high}"
    print(f"{lang}: {pages} pages")


def test_the_two_editions_are_about_as_long(pdfs):
    """Twins: the same cells, figures and outputs; only the prose's language differs."""
    ko, en = (pdfs[lang]["pages"] for lang in EDITIONS)
    assert abs(ko - en) <= 0.2 * max(ko, en), f"ko {ko} pages, en {en} pages"


def test_the_landing_page_links_both_pdfs_and_they_are_in_the_site(pdfs):
    html = (bookbuild.HTML / "book" / "intro.html").read_text(encoding="utf-8")
    for lang in EDITIONS:
        hrefs = re.findall(rf'href="([^"]*{re.escape(make_pdf.pdf_name(lang))})"', html)
        assert hrefs, f"the landing page does not link {make_pdf.pdf_name(lang)}"
        for href in hrefs:
            target = (bookbuild.HTML / "book" / href).resolve()
            assert target.is_file(), f"the landing page's link {href} leads nowhere ({target})"
            assert target.read_bytes() == pdfs[lang]["file"].read_bytes()


# --- the checks catch a broken PDF --------------------------------------------------------

def test_the_cut_line_check_catches_a_page_printed_without_the_wrap_rule(site):
    """Section 1.6 prints an error message of 133 columns: without `white-space: pre-wrap`
    it runs past the page edge, and the check must say so."""
    from pypdf import PdfReader

    page = "book/ko/06_channels"
    unwrap = "pre, div.highlight pre, div.cell_output pre { white-space: pre !important; }"
    with serve(site) as base, chromium() as driver:
        make_pdf.patient(driver)
        driver.get(f"{base}/{page}.html")
        driver.execute_script(f"const s = document.createElement('style'); s.textContent = {unwrap!r};"
                              "document.head.appendChild(s);")
        _, data = make_pdf.print_page(driver, f"{base}/{page}.html", reload=False)
    past = runs_past_the_edges(PdfReader(io.BytesIO(data)))
    assert past, "a page printed without the wrap rule shows no cut line: the check cannot fail"


def test_the_font_check_catches_fonts_that_are_not_embedded(pdfs):
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    writer = PdfWriter()
    writer.add_page(reader(pdfs["ko"]["file"]).pages[0])
    for font in (writer.pages[0]["/Resources"]["/Font"]).values():
        for part in font.get_object().get("/DescendantFonts", []):
            descriptor = part.get_object()["/FontDescriptor"].get_object()
            for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                descriptor.pop(NameObject(key), None)
    buffer = io.BytesIO()
    writer.write(buffer)
    found = fonts(PdfReader(buffer))
    assert found and not any(found.values()), f"fonts stripped of their programs still count as embedded: {found}"


# --- without a browser ----------------------------------------------------------------------

def test_book_pdf_examples_and_editions():
    import doctest

    import book_pdf  # _ext/book_pdf.py

    failed, tried = doctest.testmod(book_pdf)
    assert tried and not failed
    with pytest.raises(ValueError, match="edition"):
        book_pdf.pdf_name("fr")
    for lang in EDITIONS:
        pages = make_pdf.toc_pages(lang)
        assert pages[0] == f"book/{lang}/index" and f"book/{lang}/08_lenet" in pages, pages
        assert all(p.startswith(f"book/{lang}/") for p in pages), pages
