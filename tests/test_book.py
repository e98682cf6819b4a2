"""The book as a whole: strict build, table of contents, twin links, glossary, citations, API."""
from __future__ import annotations

import importlib
import json
import pkgutil
import re
from pathlib import Path

import pytest

import companion
from tests.helpers.bookbuild import HTML, ROOT, all_pages, build_book, part_files, source_of

BOOK = ROOT / "book"
HANGUL = re.compile(r"[\uac00-\ud7a3]")
EDITIONS = {"ko": "en", "en": "ko"}
TWIN_LABEL = {"ko": "*English edition:", "en": "*한국어판:"}


@pytest.fixture(scope="module")
def build():
    return build_book()


# --- the strict build ---------------------------------------------------------------------

def test_strict_build_has_zero_warnings(build):
    assert build.returncode == 0 and not build.problems, (
        "`jupyter-book build . -W -n --keep-going` reported problems:\n" + "\n".join(build.problems)
        + "\n--- end of the log ---\n" + build.output[-3000:])


# --- table of contents --------------------------------------------------------------------

def names(files: list[str], edition: str) -> list[str]:
    prefix = f"book/{edition}/"
    assert all(f.startswith(prefix) for f in files), f"a page outside {prefix}: {files}"
    return [f[len(prefix):] for f in files]


@pytest.mark.parametrize("ko_part, en_part", [("한국어", "English"), ("부록", "Appendix")])
def test_parts_list_the_same_pages_in_the_same_order(ko_part, en_part):
    ko, en = names(part_files(ko_part), "ko"), names(part_files(en_part), "en")
    assert ko == en, f"{ko_part}: {ko}\n{en_part}: {en}"


def test_the_two_editions_are_numbered_parts():
    from tests.helpers.bookbuild import toc
    parts = {p["caption"]: p for p in toc()["parts"]}
    assert [c for c in parts if parts[c].get("numbered")] == ["한국어", "English"]
    sections = [f for f in part_files("한국어") if re.fullmatch(r"book/ko/\d\d_\w+", f)]
    assert sections == sorted(sections), f"sections out of order: {sections}"


@pytest.mark.parametrize("edition, part", [("ko", "한국어"), ("en", "English")])
def test_chapter_overview_lists_every_section(edition, part):
    text = (BOOK / edition / "index.md").read_text(encoding="utf-8")
    sections = [f.rsplit("/", 1)[1] for f in part_files(part) if re.fullmatch(rf"book/{edition}/\d\d_\w+", f)]
    missing = [s for s in sections if f"]({s}.ipynb)" not in text]
    assert not missing, f"book/{edition}/index.md does not list {missing}: add a line `- []({missing[0]}.ipynb): ...`"


def test_every_page_in_the_toc_exists_and_every_notebook_is_in_the_toc():
    pages = all_pages()
    for page in pages:
        source_of(page)  # raises if missing
    listed = {source_of(p).relative_to(ROOT).as_posix() for p in pages}
    notebooks = {p.relative_to(ROOT).as_posix() for p in BOOK.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts}
    assert notebooks <= listed, f"notebooks missing from _toc.yml: {sorted(notebooks - listed)}"


# --- twin links ---------------------------------------------------------------------------

def edition_pages() -> list[Path]:
    return sorted(p for e in EDITIONS for p in (BOOK / e).glob("*") if p.suffix in (".ipynb", ".md"))


def first_markdown(path: Path) -> str:
    if path.suffix == ".md":
        return path.read_text(encoding="utf-8").split("\n\n## ")[0][:1500]
    nb = json.loads(path.read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
    return cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])


@pytest.mark.parametrize("path", edition_pages(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_page_links_its_twin_near_the_top(path):
    edition, other = path.parent.name, EDITIONS[path.parent.name]
    text = first_markdown(path)
    assert text.lstrip().startswith("# "), f"{path.name}: the page must start with '# Title'"
    link = f"](../{other}/{path.name})"
    line = next((ln for ln in text.splitlines() if link in ln), None)
    assert line is not None, f"{edition}/{path.name}: no link to its twin ../{other}/{path.name} near the top"
    assert line.startswith(TWIN_LABEL[edition]), f"{edition}/{path.name}: the twin line should read {TWIN_LABEL[edition]} [..](..)*"
    assert (BOOK / other / path.name).exists(), f"{edition}/{path.name}: its twin {other}/{path.name} does not exist"


# --- citations ----------------------------------------------------------------------------

CITE = re.compile(r"\{cite(?::\w+)?\}`([^`]+)`")
BIB_KEYS = set(re.findall(r"@\w+\{([^,\s]+),", (ROOT / "references.bib").read_text(encoding="utf-8")))


def page_text(path: Path) -> str:
    """The markdown of a page, without MyST comments (lines starting with %)."""
    if path.suffix == ".md":
        lines = path.read_text(encoding="utf-8").splitlines()
        return "\n".join(ln for ln in lines if not ln.startswith("%"))
    nb = json.loads(path.read_text(encoding="utf-8"))
    return "\n".join(c["source"] if isinstance(c["source"], str) else "".join(c["source"])
                     for c in nb["cells"] if c["cell_type"] == "markdown")


@pytest.mark.parametrize("path", edition_pages(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_citations_use_the_bibliography_of_their_edition(path):
    edition = path.parent.name
    for keys in CITE.findall(page_text(path)):
        for key in (k.strip() for k in keys.split(",")):
            assert key.startswith(f"{edition}-"), (
                f"{edition}/{path.name}: cite {key!r} as {edition}-KEY (the {edition} bibliography)")
            assert key[len(edition) + 1:] in BIB_KEYS, f"{edition}/{path.name}: {key!r} is not in references.bib"


# --- glossary -----------------------------------------------------------------------------

def glossary(edition: str) -> list[tuple[list[str], str]]:
    """(terms, definition) for each entry of an edition's glossary."""
    text = (BOOK / edition / "glossary.md").read_text(encoding="utf-8")
    body = text.split("```{glossary}", 1)[1].split("```", 1)[0]
    entries, terms = [], []
    for line in body.splitlines():
        if not line.strip() or line.startswith(":"):
            continue
        if line.startswith(" "):
            entries.append((terms, line.strip()))
            terms = []
        else:
            terms.append(line.strip())
    return entries


KO_TERM = re.compile(r"^(?P<ko>.*\S)\((?P<en>[^()]+)\)$")


def test_korean_glossary_terms_are_korean_with_the_english_in_parentheses():
    for terms, _ in glossary("ko"):
        assert len(terms) == 1, f"one term per Korean entry: {terms}"
        m = KO_TERM.match(terms[0])
        assert m and HANGUL.search(m["ko"]), f"{terms[0]!r}: write Korean terms as 한국어(English)"


def test_the_two_glossaries_define_the_same_terms():
    """Every Korean entry 한국어(English) has an English entry with that term whose definition
    starts with (한국어), and the other way round. This also rules out a term defined twice."""
    ko = {KO_TERM.match(t[0])["ko"]: KO_TERM.match(t[0])["en"].lower() for t, _ in glossary("ko")}
    en = {}
    for terms, definition in glossary("en"):
        m = re.match(r"\(([^)]+)\)", definition)
        assert m, f"{terms}: start the definition with the Korean term in parentheses"
        en[m[1]] = [t.lower() for t in terms]
    assert sorted(ko) == sorted(en), f"only in ko: {sorted(set(ko) - set(en))}; only in en: {sorted(set(en) - set(ko))}"
    for korean, english in ko.items():
        assert english in en[korean], f"{korean}({english}): the English glossary calls it {en[korean]}"
    all_terms = [t.lower() for terms, _ in glossary("en") for t in terms] + \
                [t[0].lower() for t, _ in glossary("ko")]
    assert len(all_terms) == len(set(all_terms)), "a glossary term is defined twice"


# --- the book's Sphinx extensions (_ext/*.py) -------------------------------------------

@pytest.mark.parametrize("name", ["api_pages", "edition_numbers", "fast_numref", "hangul_font", "korean_search",
                                  "korean_interface", "accessibility", "bibtex_plugins"])
def test_book_extension_examples(name):
    import doctest
    from tests.helpers import book_extension
    module = book_extension(name)  # the module object the browser test uses too
    failed, tried = doctest.testmod(module)
    assert tried and not failed


# --- the built pages ----------------------------------------------------------------------

def built(page: str) -> str:
    return (HTML / f"{page}.html").read_text(encoding="utf-8")


def companion_public_names() -> dict[str, str]:
    """Public functions and classes of each public module: qualified name -> module."""
    names = {}
    for mod in pkgutil.iter_modules(companion.__path__):
        if mod.name.startswith("_") or mod.name == "bench":
            continue
        m = importlib.import_module(f"companion.{mod.name}")
        for k, v in vars(m).items():
            if not k.startswith("_") and callable(v) and getattr(v, "__module__", "") == m.__name__:
                names[f"{m.__name__}.{k}"] = m.__name__
    return names


def test_api_page_documents_every_public_function(build):
    html = built("book/en/api")
    missing = [name for name in companion_public_names() if f'id="{name}"' not in html]
    assert not missing, f"not on the API page (book/en/api.md): {missing}"
    assert built("book/ko/api").count('class="sig-name descname"') == html.count('class="sig-name descname"')


def test_exercise_labels_are_in_the_language_of_the_page(build):
    for page in all_pages():
        html = built(page)
        captions = re.findall(r'<span class="caption-number">([^<]*)</span>', html)
        if page.startswith("book/ko/"):
            assert '<html lang="ko"' in html, f"{page}: not marked lang=ko"
            assert not [c for c in captions if c.startswith("Exercise")], f"{page}: English exercise labels"
            assert "Solution to" not in html, f"{page}: an English solution title"
        elif page.startswith("book/en/"):
            assert not [c for c in captions if c.startswith("연습")], f"{page}: Korean exercise labels"


def test_buttons_download_the_source_and_nothing_launches(build):
    for page in all_pages():
        html = built(page)
        src = source_of(page).relative_to(ROOT).as_posix()
        assert f'_sources/{src}"' in html, f"{page}: no download button for {src}"
        assert (HTML / "_sources" / src).is_file(), f"{page}: the download button's {src} is not in the book"
        # sphinx-book-theme's launch buttons (Binder, JupyterHub, Colab, Thebe) and its
        # repository, edit, issue and source-file buttons need a server or a public repository.
        for button in ("launch-buttons", "btn-launch-", "btn-source-", "thebe-launch"):
            assert button not in html, f"{page}: a {button} button that cannot work"


def test_math_is_served_by_the_book_itself(build):
    assert (HTML / "_static" / "mathjax" / "tex-svg-full.js").is_file()
    for page in all_pages():
        html = built(page)
        assert "cdn.jsdelivr.net" not in html and "mathjax@" not in html, f"{page}: MathJax from the network"


@pytest.mark.parametrize("edition", ["ko", "en"])
def test_section_numbers_match_file_names(build, edition):
    """Section NN_name is numbered 1.NN in both parts (an overview heading would shift them)."""
    html = (HTML / "book" / edition / "index.html").read_text(encoding="utf-8")
    entries = re.findall(r'toctree-l2"><a class="reference internal" href="(\d\d)_[^"]*">(\d+\.\d+)\. ', html)
    assert entries, "no numbered sections found in the overview's table of contents"
    for nn, number in entries:
        assert number == f"1.{int(nn)}", f"{nn}_…: numbered {number}"


# --- figures and exercises: numbered per section, in the page's language -----------------

CAPTION_WORD = {"ko": {"figure": "그림", "exercise": "연습 문제"}, "en": {"figure": "Figure", "exercise": "Exercise"}}
SECTION_PAGE = re.compile(r"book/(ko|en)/(\d\d)_\w+")


def numbering_problems(page: str, page_html: str) -> list[str]:
    """Figures and exercises of section 1.NN are numbered 1.NN.1, 1.NN.2, ... in each
    edition, with the word of the page's language (그림/연습 문제, Figure/Exercise)."""
    lang, nn = SECTION_PAGE.fullmatch(page).groups()
    captions = [c.strip() for c in re.findall(r'<span class="caption-number">([^<]*)</span>', page_html)]
    problems = []
    for kind, word in CAPTION_WORD[lang].items():
        numbers = [c[len(word):].strip() for c in captions if c.startswith(word + " ")]
        expected = [f"1.{int(nn)}.{k}" for k in range(1, len(numbers) + 1)]
        if numbers != expected:
            problems.append(f"{kind}s numbered {numbers}, expected {expected}")
    other = "en" if lang == "ko" else "ko"
    foreign = [c for c in captions if c.startswith(tuple(CAPTION_WORD[other].values()))]
    if foreign:
        problems.append(f"labels in the other language: {foreign}")
    return problems


@pytest.mark.parametrize("page", [p for p in all_pages() if SECTION_PAGE.fullmatch(p)])
def test_figures_and_exercises_are_numbered_per_section_in_each_edition(build, page):
    problems = numbering_problems(page, built(page))
    assert not problems, f"{page}: " + "; ".join(problems)


FIGURE = re.compile(r'<figure class="[^"]*" id="(?P<id>[^"]+)">\s*(?P<body>.*?)</figure>', re.S)


def figures(page_html: str) -> list[tuple[str, str]]:
    """(id, caption number) of each figure of a page."""
    out = []
    for m in FIGURE.finditer(page_html):
        number = re.search(r'<span class="caption-number">([^<]*)</span>', m["body"])
        out.append((m["id"], number[1].strip() if number else ""))
    return out


@pytest.mark.parametrize("page", [p for p in all_pages() if SECTION_PAGE.fullmatch(p)])
def test_every_generated_figure_has_a_numbered_caption(build, page):
    """Every image a code cell draws is a figure with a caption (MyST-NB cell metadata
    ``mystnb: figure: caption, name``), named ``<edition>-fig-<short>``; the twin page has
    the figures of the same names."""
    lang = SECTION_PAGE.fullmatch(page)[1]
    page_html = built(page)
    article = page_html[page_html.index("<article"):page_html.index("</article>")]
    named = figures(article)
    uncaptioned = article.count("<img ") - len([fid for fid, number in named if number])
    assert uncaptioned <= 0, (
        f"{page}: {uncaptioned} of {article.count('<img ')} images have no numbered caption; give each "
        f'figure cell {{"mystnb": {{"figure": {{"caption": ..., "name": "{lang}-fig-<short>"}}, "image": {{"alt": ...}}}}}}')
    wrong = [fid for fid, _ in named if not fid.startswith(f"{lang}-fig-")]
    assert not wrong, f"{page}: figure names must start with {lang}-fig-: {wrong}"
    twin = page.replace(f"book/{lang}/", f"book/{'en' if lang == 'ko' else 'ko'}/")
    mine = sorted(fid.split("-fig-", 1)[1] for fid, _ in named)
    theirs = sorted(fid.split("-fig-", 1)[1] for fid, _ in figures(built(twin)) if "-fig-" in fid)
    assert mine == theirs, f"{page}: figures {mine}, its twin {twin}: {theirs}"


# --- the animations (companion.animation, _ext/static/conv_anim.*) ---------------------------

ANIMATION_BUDGET = 1_500_000  # bytes: every animation of both editions, with its player


def animation_bytes(site: Path) -> tuple[int, int]:
    """(bytes, count) of every ``div.conv-anim`` on the built pages, plus the player's script
    and stylesheet, which every page loads."""
    from bs4 import BeautifulSoup

    total, count = 0, 0
    for path in sorted(site.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        if "conv-anim" not in text:
            continue
        for div in BeautifulSoup(text, "html.parser").select("div.conv-anim"):
            total += len(str(div).encode("utf-8"))
            count += 1
    player = [site / "_static" / name for name in ("conv_anim.js", "conv_anim.css")]
    return total + sum(p.stat().st_size for p in player), count


def test_every_animation_together_stays_within_its_budget(build):
    from tests.helpers.bookbuild import REPORT

    size, count = animation_bytes(HTML)
    REPORT.append(f"animations: {count} in both editions, {size / 1e6:.2f} MB with the player "
                  f"(budget {ANIMATION_BUDGET / 1e6:.1f} MB)")
    assert count >= 2 * 5, f"expected animations on 03-07 of both editions, found {count}"
    assert size <= ANIMATION_BUDGET, (f"the {count} animations and their player take {size:,} bytes, over the "
                                      f"budget of {ANIMATION_BUDGET:,}")


# --- the Korean web font (_ext/hangul_font.py) ----------------------------------------------

FONT_BUDGET = 1_000_000  # bytes, all font files together


def ks_x_1001_syllables() -> set[str]:
    """The 2,350 Hangul syllables of KS X 1001: EUC-KR 0xB0A1-0xC8FE."""
    return {bytes([lead, trail]).decode("euc-kr") for lead in range(0xB0, 0xC9) for trail in range(0xA1, 0xFF)}


def test_the_web_font_covers_every_hangul_character_within_its_budget(build):
    from fontTools.ttLib import TTFont

    from tests.helpers.bookbuild import REPORT

    folder = HTML / "_static" / "fonts"
    fonts = sorted(folder.glob("*.woff2"))
    assert len(fonts) == 2, f"expected a regular and a bold face in {folder}: {fonts}"
    size = sum(f.stat().st_size for f in fonts)
    REPORT.append(f"Hangul web font: {size / 1024:.0f} KB in {len(fonts)} files (budget {FONT_BUDGET // 1000:,} KB)")
    assert size <= FONT_BUDGET, f"the web fonts take {size:,} bytes, over the budget of {FONT_BUDGET:,}"
    licence = (folder / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE" in licence and "NAVER" in licence, "the OFL licence must ship beside the font"
    pages = list(HTML.rglob("*.html")) + [HTML / "searchindex.js"]
    korean = re.compile(r"[\u1100-\u11ff\u3000-\u303f\u3130-\u318f\uac00-\ud7a3\uff00-\uffef]")  # and 「」
    needed = {c for path in pages for c in korean.findall(path.read_text(encoding="utf-8"))}
    assert len(ks_x_1001_syllables()) == 2350
    needed |= ks_x_1001_syllables()
    for path in fonts:
        font = TTFont(path)
        missing = needed - {chr(code) for code in font.getBestCmap()}
        assert not missing, f"{path.name} lacks {len(missing)} Hangul characters, e.g. {sorted(missing)[:20]}"
        names = {record.nameID: record.toUnicode() for record in font["name"].names}
        # A modified OFL font must not carry the Reserved Font Name (NanumGothic).
        assert not any("Nanum" in names.get(i, "") for i in (1, 4, 6, 16)), f"{path.name} is named {names}"
    css = (HTML / "_static" / "hangul.css").read_text(encoding="utf-8")
    assert "unicode-range" in css and '"Malgun Gothic"' in css
    for page in all_pages():
        assert "_static/hangul.css" in built(page), f"{page} does not load hangul.css"


def test_the_slowest_files_that_the_parallel_run_starts_first_exist():
    """tests/conftest.py starts these files first; a renamed one would silently lose its place."""
    from tests.conftest import ROOT, SLOWEST_FIRST
    assert [f for f in SLOWEST_FIRST if not (ROOT / f).is_file()] == []
