"""Every page of the built book, opened in a real (headless) Chromium and looked at as a
reader sees it: after the page has been scrolled through (lazy images load) and MathJax
has finished.

On every page: it loads with its title, every image has loaded, formulas are typeset, the
console is clean, the link to the twin page resolves; Hangul is drawn with a real font
(Chromium reports which fonts drew each element's text; and a font without Hangul draws
합, 성 and 곱 as one and the same box on a canvas); the rendered text holds
no raw markdown table, raw TeX delimiter or unrendered ``**``; every image has alt text
that is neither empty nor a file name; the interface speaks the page's language. At 390 px
(a phone) no page scrolls sideways. In dark mode, figures keep a light backdrop.

Search: for every glossary term of both editions, the search finds every page whose
rendered text contains the term in any form (Korean: with particles attached; English:
inflected). The recall is printed at the end of the run.

Full-page screenshots go to _build/screenshots/: every page at desktop width, the landing
page and one section per edition at 390 px, one section per edition in dark mode, and
contact-sheet.png, which tiles them all.

A busy machine can stall the browser: every command waits at most COMMAND_TIMEOUT seconds,
a page whose look stalls is looked at again, once, in a fresh browser, and a full-length
picture that stalls is taken again in parts (tests/helpers/browser.py). A picture that
still cannot be taken is reported once, by test_every_screenshot_was_taken, and not by the
page's other checks or the contact sheet. The tests at the end make Chromium stall on
purpose to show that.

Needs Debian's `chromium` and `chromium-driver`; without them the test is skipped with a
message, except in CI (the CI variable is set), where it fails.
"""
from __future__ import annotations

import contextlib
import functools
import html
import io
import json
import os
import re
import shutil
import subprocess
import time
import urllib.request
from urllib.parse import quote

import pytest

from tests.helpers import bookbuild
from tests.helpers.bookbuild import HTML, ROOT, SCREENSHOTS, all_pages, build_book, source_of
from tests.helpers.browser import (COMMAND_TIMEOUT, JPEG_LIMIT, Browser, ScreenshotProblem, Stalled, full_length_jpeg,
                                  require_browser, serve, tiled_jpeg)

from tests.helpers import book_extension

FAMILY, SYSTEM_FONTS = book_extension("hangul_font").FAMILY, book_extension("hangul_font").SYSTEM_FONTS
SearchBilingual = book_extension("korean_search").SearchBilingual

HANGUL = re.compile(r"[\uac00-\ud7a3]")
PAGES = all_pages()
TWIN = {"ko": "en", "en": "ko"}
PHONE_WIDTH, PHONE_HEIGHT = 390, 844
NOTEBOOK_NAMES = sorted({p.stem for p in (ROOT / "book" / "en").glob("*.ipynb")})
PHONE_SHOTS = ["book/intro", "book/ko/08_lenet", "book/en/08_lenet"]
DARK_SHOTS = ["book/ko/08_lenet", "book/en/08_lenet"]


def edition(page: str) -> str:
    """The language of a page's interface: Korean under book/ko/, English elsewhere."""
    return "ko" if page.startswith("book/ko/") else "en"


def shot_name(page: str, variant: str = "") -> str:
    return page.replace("/", "__") + (f"@{variant}" if variant else "") + ".jpg"


class Site:
    """The served book and the browser looking at it. ``base, driver = site`` gives the
    browser's current driver (a stalled browser is replaced by a fresh one)."""

    def __init__(self, base: str, browser: Browser):
        self.base, self.browser = base, browser

    def __iter__(self):
        return iter((self.base, self.browser.driver))


@pytest.fixture(scope="module")
def site():
    require_browser("the real-browser test")
    build_book()  # once per session, shared with test_book.py
    assert (HTML / "index.html").exists(), "the book was not built (see tests/test_book.py)"
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)  # no stale pictures of removed pages
    SCREENSHOTS.mkdir(parents=True)
    with serve(HTML) as base, Browser(COMMAND_TIMEOUT) as browser:
        yield Site(base, browser)
    if browser.log:
        bookbuild.REPORT.append(f"browser: {browser.restarts} fresh start(s) after a stall: " + "; ".join(browser.log))


def source_title(page: str) -> str:
    path = source_of(page)
    if path.suffix == ".ipynb":
        nb = json.loads(path.read_text(encoding="utf-8"))
        cell = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
        text = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
    else:
        text = path.read_text(encoding="utf-8")
    first = next(line for line in text.splitlines() if line.startswith("# "))
    return re.sub(r"[*_`]", "", first[2:]).strip()


# --- looking at a page ---------------------------------------------------------------------

# Scroll through the page (lazy content loads), then wait for the images, MathJax and the
# web fonts. Resolves with null, or with what went wrong.
SETTLE = """
const done = arguments[arguments.length - 1];
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));
(async () => {
  const start = Date.now();
  document.querySelectorAll('img[loading="lazy"]').forEach(img => { img.loading = 'eager'; });
  const step = Math.max(200, innerHeight - 100);
  for (let y = 0; y < document.documentElement.scrollHeight; y += step) {
    scrollTo(0, y);
    await sleep(20);
  }
  scrollTo(0, 0);
  while (Array.from(document.images).some(img => !img.complete) && Date.now() - start < 20000) await sleep(100);
  if (document.querySelector('.math')) {
    while (!(window.MathJax && MathJax.startup && MathJax.startup.promise) && Date.now() - start < 20000) {
      await sleep(100);
    }
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
  }
  await document.fonts.ready;
  done(null);
})().catch(error => done(String(error)));
"""

# What a reader sees, collected in one pass. arguments[0]: the bundled font's family.
LOOK = r"""
const FAMILY = arguments[0];
const HANGUL = /[\uac00-\ud7a3]/;
const article = document.querySelector('article.bd-article') || document.querySelector('main') || document.body;

// The rendered text outside code and typeset math, block by block.
// A Python signature (dt.sig: `subplots(*args, **kwargs)`) is code too.
const CODE = 'pre, code, kbd, samp, script, style, mjx-container, textarea, .highlight, dt.sig';
const blocks = new Map();
const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  const parent = node.parentElement;
  if (!parent || parent.closest(CODE)) continue;
  const block = parent.closest('p, li, td, th, dt, dd, h1, h2, h3, h4, h5, h6, figcaption, caption, div') || article;
  blocks.set(block, (blocks.get(block) || '') + node.textContent);
}

// The interface: every text and tooltip that is not the book's content.
const CONTENT = ['article', 'nav.bd-docs-nav', 'nav.page-toc', '#jb-print-toc', '#jb-print-docs-body h1',
  '.prev-next-title', '.logo__title', '.component-author', 'script', 'style', 'kbd', '.btn__text-container',
  '#search-results'].join(', ');
const ui = [];
const uiWalker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let node = uiWalker.nextNode(); node; node = uiWalker.nextNode()) {
  const text = node.textContent.trim();
  if (text && node.parentElement && !node.parentElement.closest(CONTENT)) ui.push(text);
}
const ATTRIBUTES = ['title', 'aria-label', 'placeholder', 'data-bs-title', 'data-tooltip'];
for (const el of document.body.querySelectorAll(ATTRIBUTES.map(a => `[${a}]`).join(', '))) {
  // inside the content, only the theme's own controls: heading links and copy buttons
  if (el.closest(CONTENT) && !el.matches('a.headerlink, .copybtn')) continue;
  for (const a of ATTRIBUTES) if (el.getAttribute(a)) ui.push(el.getAttribute(a).trim());
}
const author = document.querySelector('.component-author');

// Hangul as drawn: 합, 성, 곱 in the font of a heading, a paragraph, the sidebar and code.
function drawn(el) {
  const style = getComputedStyle(el);
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 64;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  ctx.font = `${style.fontStyle} ${style.fontWeight} 48px ${style.fontFamily}`;
  ctx.textBaseline = 'top';
  const signatures = [], inks = [];
  for (const ch of ['합', '성', '곱']) {
    ctx.clearRect(0, 0, 64, 64);
    ctx.fillText(ch, 4, 4);
    const alpha = ctx.getImageData(0, 0, 64, 64).data;
    let ink = 0, signature = 0;
    for (let i = 3; i < alpha.length; i += 4) {
      if (alpha[i]) { ink++; signature = (signature * 31 + i * alpha[i]) % 1000000007; }
    }
    signatures.push(signature);
    inks.push(ink);
  }
  return {font: ctx.font, distinct: new Set(signatures).size, ink: Math.min(...inks)};
}
const SAMPLES = {heading: 'article h1', text: 'article p, article li', sidebar: 'nav.bd-docs-nav a, nav.bd-docs-nav .caption-text',
                 code: 'article pre'};
const glyphs = {};
for (const [where, selector] of Object.entries(SAMPLES)) {
  const el = Array.from(document.querySelectorAll(selector)).find(e => HANGUL.test(e.textContent) && e.getClientRects().length);
  if (el) glyphs[where] = drawn(el);
}
const faces = Array.from(document.fonts).filter(f => f.family.replace(/["']/g, '') === FAMILY);

// Code listings of the notebooks' cells, hidden solutions opened for the measurement: which
// ones hide the ends of their lines behind a scrollbar at this width.
const folded = Array.from(document.querySelectorAll('.toggle-hidden'));
folded.forEach(el => el.classList.remove('toggle-hidden'));
const longestLine = pre => pre.textContent.split('\n').reduce((a, b) => (b.length > a.length ? b : a), '');
const scrolling = Array.from(article.querySelectorAll('div.cell_input pre'))
  .filter(pre => pre.scrollWidth > pre.clientWidth + 1).map(longestLine);
const scrollingOutput = Array.from(article.querySelectorAll('div.cell_output pre'))
  .filter(pre => pre.scrollWidth > pre.clientWidth + 1).map(longestLine);
folded.forEach(el => el.classList.add('toggle-hidden'));

return {
  title: document.title,
  images: Array.from(document.images).map(img => ({
    src: img.currentSrc || img.src, width: img.naturalWidth, alt: img.getAttribute('alt'),
    content: article.contains(img)})),
  math: document.querySelectorAll('.math').length,
  typeset: document.querySelectorAll('mjx-container').length,
  mathErrors: document.querySelectorAll('mjx-merror').length,
  text: article.innerText,
  blocks: Array.from(blocks.values()),
  ui: ui,
  author: author ? author.innerText.trim() : null,
  hasToc: !!document.querySelector('#pst-page-toc-nav li'),
  hasPrevious: !!document.querySelector('.prev-next-area a.left-prev'),
  hasNext: !!document.querySelector('.prev-next-area a.right-next'),
  links: Array.from(document.querySelectorAll('main article a')).map(a => a.href),
  glyphs: glyphs,
  width: innerWidth,
  scrollingCode: scrolling,
  scrollingOutput: scrollingOutput,
  bundled: {declared: faces.length, loaded: faces.filter(f => f.status === 'loaded').length,
            check: faces.length > 0 && document.fonts.check(`16px "${FAMILY}"`, '합성곱')},
};
"""


# Mark every element whose own text has Hangul (or CJK punctuation such as 「」, which Latin
# fonts lack too) and is on screen (not the hidden MathML that MathJax keeps for screen
# readers); returns how many such characters each one has.
MARK_HANGUL = r"""
const KOREAN = /[\u1100-\u11ff\u3000-\u303f\u3130-\u318f\uac00-\ud7a3\uff00-\uffef]/g;
const counts = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
const seen = new Set();
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  const el = node.parentElement;
  if (!el || seen.has(el) || !node.textContent.match(KOREAN)) continue;
  if (el.closest('mjx-assistive-mml, script, style, noscript') || !el.getClientRects().length) continue;
  seen.add(el);
  const own = Array.from(el.childNodes).filter(n => n.nodeType === Node.TEXT_NODE).map(n => n.textContent).join('');
  el.setAttribute('data-hangul-probe', counts.length);
  counts.push([(own.match(KOREAN) || []).length, el.tagName.toLowerCase() + ': ' + own.trim().slice(0, 40)]);
}
return counts;
"""
KOREAN_FONTS = {FAMILY} | {name.strip('"') for name in SYSTEM_FONTS}


@functools.cache
def korean_system_fonts() -> list[str]:
    """The Korean fonts of this machine, as fontconfig (which Chromium uses on Linux) lists
    them. None on CI: a reader's browser shows Hangul only from a font the book ships."""
    if not shutil.which("fc-list"):
        return []
    listed = subprocess.run(["fc-list", ":lang=ko", "family"], capture_output=True, text=True, timeout=30)
    return sorted({name.strip() for line in listed.stdout.splitlines() for name in line.split(",") if name.strip()})


def hangul_drawn_without_a_korean_font(driver) -> list[str]:
    """The elements whose Hangul the browser drew with a font that has no Hangul (boxes), by
    asking Chromium which fonts it used for each element's text (DevTools protocol)."""
    counts = driver.execute_script(MARK_HANGUL)
    driver.execute_cdp_cmd("DOM.enable", {})
    driver.execute_cdp_cmd("CSS.enable", {})
    root = driver.execute_cdp_cmd("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    nodes = driver.execute_cdp_cmd("DOM.querySelectorAll", {"nodeId": root, "selector": "[data-hangul-probe]"})
    boxes = []
    for node_id in nodes["nodeIds"]:
        attributes = driver.execute_cdp_cmd("DOM.getAttributes", {"nodeId": node_id})["attributes"]
        index = int(dict(zip(attributes[::2], attributes[1::2]))["data-hangul-probe"])
        hangul, what = counts[index]
        fonts = driver.execute_cdp_cmd("CSS.getPlatformFontsForNode", {"nodeId": node_id})["fonts"]
        korean = sum(f["glyphCount"] for f in fonts
                     if f["familyName"] in KOREAN_FONTS or f["familyName"] in korean_system_fonts())
        if fonts and korean < hangul:
            boxes.append(f"{what!r} ({', '.join(f['familyName'] for f in fonts)})")
    return boxes


def console_errors(driver) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def settle(driver, what: str) -> None:
    problem = driver.execute_async_script(SETTLE)
    assert problem is None, f"{what}: the page did not settle: {problem}"


SHOT_PROBLEMS: dict[str, str] = {}  # picture name -> why it could not be taken


def take_picture(site: Site, what: str, name: str, reopen, mobile: bool = False) -> None:
    """The full-length picture of the page open in the browser, saved as ``name``: in one
    piece, or in parts after ``reopen(driver)`` has opened it again in a fresh browser. A
    picture that cannot be taken either way goes to SHOT_PROBLEMS instead of failing the caller."""
    try:
        jpeg, how = site.browser.picture(reopen, what, mobile, PHONE_HEIGHT if mobile else None)
    except ScreenshotProblem as problem:
        SHOT_PROBLEMS[name] = str(problem)
    else:
        (SCREENSHOTS / name).write_bytes(jpeg)


SEEN: dict[str, dict | Exception] = {}


def look(driver, base: str, page: str) -> dict:
    """Open a page, settle it and collect what a reader sees."""
    driver.get(f"{base}/{page}.html")
    settle(driver, page)
    seen = driver.execute_script(LOOK, FAMILY)
    seen["boxes"] = hangul_drawn_without_a_korean_font(driver)
    seen["console"] = console_errors(driver)
    return seen


def look_at(site: Site, page: str) -> dict:
    """Open a page once (again in a fresh browser if the first one stalls), settle it, collect
    what is seen and take its full-page screenshot; every test of that page reads the same
    record. A screenshot that cannot be taken is left to test_every_screenshot_was_taken."""
    if page not in SEEN:
        try:
            SEEN[page] = site.browser.attempt(lambda driver: look(driver, site.base, page), page)
        except Exception as error:  # every test of this page reports it
            SEEN[page] = error
        else:
            take_picture(site, page, shot_name(page),
                         lambda driver: (driver.get(f"{site.base}/{page}.html"), settle(driver, page)))
    if isinstance(SEEN[page], Exception):
        raise SEEN[page]
    return SEEN[page]


@pytest.mark.parametrize("page", PAGES)
def test_page_loads_in_a_real_browser(site, page):
    seen = look_at(site, page)
    title = source_title(page)
    assert title in seen["title"], f"{page}: the browser shows the title {seen['title']!r}, expected {title!r}"
    broken = [image["src"] for image in seen["images"] if not image["width"]]
    assert not broken, f"{page}: images that did not load after scrolling through the page: {broken}"
    if seen["math"]:
        assert seen["typeset"] > 0, f"{page}: MathJax typeset no formula (is _static/mathjax there?)"
        assert seen["mathErrors"] == 0, f"{page}: {seen['mathErrors']} formulas MathJax could not parse"
    assert not seen["console"], f"{page}: errors in the browser console:\n" + "\n".join(seen["console"])

    if edition(page) == "ko":
        assert len(HANGUL.findall(seen["text"])) > 20, f"{page}: a Korean page with (almost) no Hangul"
    if page.startswith(("book/ko/", "book/en/")):
        lang, name = page.split("/")[1], page.rsplit("/", 1)[1]
        twin = next((href for href in seen["links"] if href.endswith(f"/book/{TWIN[lang]}/{name}.html")), None)
        assert twin, f"{page}: no link to its twin book/{TWIN[lang]}/{name}.html"
        with urllib.request.urlopen(twin, timeout=10) as response:
            assert response.status == 200, f"{page}: the twin link {twin} answers {response.status}"


@pytest.mark.parametrize("page", PAGES)
def test_hangul_is_drawn_with_a_real_font(site, page):
    """Every element's Hangul is drawn with a Korean font (Chromium says which fonts it used).
    Also, the way a reader could check it: a font without Hangul draws 합, 성 and 곱 as one
    and the same box, so three different pictures mean real glyphs. Korean pages must have
    loaded the bundled web font (this machine, like CI, has no Korean system font)."""
    seen = look_at(site, page)
    assert not seen["boxes"], (f"{page}: {len(seen['boxes'])} element(s) with Hangul drawn by a font without "
                               f"Hangul (boxes): " + "; ".join(seen["boxes"][:10]))
    boxes = {where: g for where, g in seen["glyphs"].items() if g["distinct"] < 3 or not g["ink"]}
    assert not boxes, (f"{page}: Hangul drawn as boxes (합, 성, 곱 give {min(g['distinct'] for g in boxes.values())} "
                       f"distinct picture(s)) in: " + "; ".join(f"{w} ({g['font']})" for w, g in boxes.items()))
    if edition(page) == "ko":
        assert {"text", "sidebar"} <= set(seen["glyphs"]), f"{page}: no Hangul found to look at"
        bundled = seen["bundled"]
        assert bundled["declared"], f"{page}: no @font-face {FAMILY!r} in the page's CSS"
        if not korean_system_fonts():  # else the reader's own font comes first, as it should
            assert bundled["loaded"] and bundled["check"], (
                f"{page}: the bundled font {FAMILY!r} is declared but not loaded ({bundled})")


RAW_TABLE = re.compile(r"^\s*\|.*\|\s*$|\|\s*:?-{2,}", re.M)
RAW_TEX = re.compile(r"\\\(|\\\)|\\\[|\\\]|\$\$")
RAW_BOLD = re.compile(r"\*\*")


@pytest.mark.parametrize("page", PAGES)
def test_no_raw_markup_in_the_rendered_text(site, page):
    """Outside code: no markdown table left as text, no TeX left to MathJax, no ``**``."""
    seen = look_at(site, page)
    found = []
    for what, pattern in (("a raw markdown table", RAW_TABLE), ("a raw TeX delimiter", RAW_TEX),
                          ("unrendered **", RAW_BOLD)):
        found += [f"{what}: {block.strip()[:160]!r}" for block in seen["blocks"] if pattern.search(block)]
    assert not found, f"{page}: raw markup in the rendered text:\n" + "\n".join(found)


@pytest.mark.parametrize("page", [p for p in PAGES if p.endswith(tuple(f"/{n}" for n in NOTEBOOK_NAMES))])
def test_code_listings_show_whole_lines_on_a_desktop(site, page):
    """The notebooks' code lines are at most 88 characters (tests/test_notebooks.py), so that a
    listing shows them whole at a desktop width of 1280 px, solutions included: no listing may
    hide its line ends behind a scrollbar there (on a phone, listings scroll inside themselves)."""
    seen = look_at(site, page)
    assert seen["width"] >= 1280, f"the browser window is {seen['width']} px wide, not a desktop"
    assert not seen["scrollingCode"], (
        f"{page}: {len(seen['scrollingCode'])} code listing(s) scroll sideways at {seen['width']} px; "
        f"longest line of each: " + "; ".join(repr(line) for line in seen["scrollingCode"][:5]))


@pytest.mark.parametrize("page", PAGES)
def test_outputs_show_whole_lines_on_a_desktop(site, page):
    """A printed line longer than the box (an error message, a list of shapes) wraps at a
    desktop width instead of hiding its end behind a scrollbar; on a phone, outputs scroll
    inside themselves, as printed tensors would be unreadable wrapped at 40 columns."""
    seen = look_at(site, page)
    assert not seen["scrollingOutput"], (
        f"{page}: {len(seen['scrollingOutput'])} output(s) scroll sideways at {seen['width']} px; "
        f"longest line of each: " + "; ".join(repr(line) for line in seen["scrollingOutput"][:5]))


FILE_NAME = re.compile(r"\.(png|jpe?g|gif|svg|webp)\b|_images|^\S*/\S*$", re.I)


def looks_like_a_file_name(alt: str) -> bool:
    """What Sphinx writes when a figure has no alt text: its path or file name. A slash inside
    words ("T-shirt/top", "(1, 1)/√2") is text."""
    return bool(FILE_NAME.search(alt.strip()))


def test_file_name_alt_texts_are_told_from_real_ones():
    assert looks_like_a_file_name("../../_images/6969ab.png")
    assert looks_like_a_file_name("6969ab.png") and looks_like_a_file_name("figures/lenet")
    assert not looks_like_a_file_name("The largest counts are among T-shirts/tops and coats.")
    assert not looks_like_a_file_name("v = (1, 1)/√2에 대한 응답")


@pytest.mark.parametrize("page", PAGES)
def test_every_image_has_alt_text(site, page):
    """A screen reader reads the alt text: not empty, not a file name."""
    seen = look_at(site, page)
    bad = [(image["alt"], image["src"].rsplit("/", 1)[-1]) for image in seen["images"]
           if image["content"] and (not (image["alt"] or "").strip() or looks_like_a_file_name(image["alt"]))]
    assert not bad, f"{page}: {len(bad)} image(s) without real alt text (alt, file): {bad}"


# The theme's words a reader meets on every page: (what, Korean, English).
INTERFACE = [
    ("search box", "검색", "Search"),
    ("download button", "내려받기", "Download"),
    ("full-screen button", "전체 화면", "Fullscreen"),
    ("colour-mode button", "색상 모드", "Color mode"),
]
INTERFACE_TOC = ("table of contents", "목차", "Contents")
INTERFACE_PREVIOUS = ("previous page", "이전", "previous")
INTERFACE_NEXT = ("next page", "다음", "next")
AUTHOR_BY = {"ko": "지은이", "en": "By"}
NOT_WORDS = {"Ctrl"}  # key names are the same in both languages


@pytest.mark.parametrize("page", PAGES)
def test_interface_speaks_the_language_of_the_page(site, page):
    seen = look_at(site, page)
    lang = edition(page)
    ui = seen["ui"]
    expected = list(INTERFACE)
    if seen["hasToc"]:
        expected.append(INTERFACE_TOC)
    if seen["hasPrevious"]:
        expected.append(INTERFACE_PREVIOUS)
    if seen["hasNext"]:
        expected.append(INTERFACE_NEXT)
    missing = [f"{what} ({ko if lang == 'ko' else en!r})" for what, ko, en in expected
               if not any((ko if lang == "ko" else en) in text for text in ui)]
    assert not missing, f"{page}: interface words missing: {missing}\nthe interface says: {sorted(set(ui))}"
    if lang == "ko":
        english = sorted({t for t in ui if re.search(r"[A-Za-z]{2,}", t) and t not in NOT_WORDS})
        assert not english, f"{page}: English in the interface of a Korean page: {english}"
    else:
        korean = sorted({t for t in ui if HANGUL.search(t)})
        assert not korean, f"{page}: Korean in the interface of an English page: {korean}"
    if seen["author"] is not None:
        assert seen["author"].startswith(AUTHOR_BY[lang]), f"{page}: author line {seen['author']!r}"


# --- a phone, and the dark --------------------------------------------------------------------

PHONE = """
const width = arguments[0];
const page = document.documentElement.scrollWidth;
// what sticks out: elements wider than the screen that are not inside a box that scrolls
const out = [];
for (const el of document.querySelectorAll('body *')) {
  const box = el.getBoundingClientRect();
  if (box.right <= width + 1 || !box.width) continue;
  let scroller = el.parentElement, contained = false;
  for (; scroller && scroller !== document.body; scroller = scroller.parentElement) {
    const overflow = getComputedStyle(scroller).overflowX;
    if (overflow === 'auto' || overflow === 'scroll' || overflow === 'hidden') { contained = true; break; }
  }
  if (!contained) out.push(`${el.tagName.toLowerCase()}.${Array.from(el.classList).join('.')} (right edge ${Math.round(box.right)} px)`);
}
return {page: page, sticking: out.slice(0, 8)};
"""


def open_on_a_phone(driver, base: str, page: str) -> None:
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": PHONE_WIDTH, "height": PHONE_HEIGHT, "deviceScaleFactor": 1, "mobile": True})
    driver.get(f"{base}/{page}.html")
    settle(driver, f"{page} at {PHONE_WIDTH} px")


@pytest.mark.parametrize("page", PAGES)
def test_no_page_scrolls_sideways_on_a_phone(site, page):
    what = f"{page} at {PHONE_WIDTH} px"
    try:
        wide = site.browser.attempt(
            lambda driver: (open_on_a_phone(driver, site.base, page), driver.execute_script(PHONE, PHONE_WIDTH))[1],
            what)
        if page in PHONE_SHOTS:
            take_picture(site, what, shot_name(page, str(PHONE_WIDTH)),
                         lambda driver: open_on_a_phone(driver, site.base, page), mobile=True)
    finally:
        site.browser.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert wide["page"] <= PHONE_WIDTH, (
        f"{page}: at {PHONE_WIDTH} px the page is {wide['page']} px wide and scrolls sideways; "
        f"sticking out: {wide['sticking']}")


# For each figure with transparent pixels, the colour behind it (its own background or the
# nearest ancestor's): matplotlib draws dark ink, which needs a light backdrop in the dark.
BACKDROPS = """
const out = [];
for (const img of document.querySelectorAll('article img')) {
  if (!img.naturalWidth) continue;
  const canvas = document.createElement('canvas');
  canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  ctx.drawImage(img, 0, 0);
  const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  let clear = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] < 250) clear++;
  let el = img, backdrop = null;
  for (; el; el = el.parentElement) {
    const m = getComputedStyle(el).backgroundColor.match(/[\\d.]+/g).map(Number);
    if (m.length === 3 || m[3] > 0.9) { backdrop = m.slice(0, 3); break; }
  }
  out.push({src: img.currentSrc.split('/').pop(), clear: clear / (data.length / 4), backdrop: backdrop});
}
return {theme: document.documentElement.dataset.theme, images: out};
"""


def luminance(rgb: list[float]) -> float:
    """Relative luminance (WCAG) of an sRGB colour given as 0-255 values."""
    def linear(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def open_in_the_dark(driver, base: str, page: str) -> None:
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia",
                           {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    driver.get(f"{base}/{page}.html")
    settle(driver, f"{page} in dark mode")


@pytest.mark.parametrize("page", DARK_SHOTS)
def test_figures_stay_legible_in_dark_mode(site, page):
    what = f"{page} in dark mode"
    try:
        seen = site.browser.attempt(
            lambda driver: (open_in_the_dark(driver, site.base, page), driver.execute_script(BACKDROPS))[1], what)
        take_picture(site, what, shot_name(page, "dark"), lambda driver: open_in_the_dark(driver, site.base, page))
    finally:
        site.browser.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
    assert seen["theme"] == "dark", f"{page}: the theme did not follow the reader's dark mode"
    assert seen["images"], f"{page}: no figure to look at"
    dark = [(i["src"], i["backdrop"]) for i in seen["images"]
            if i["clear"] > 0.01 and (i["backdrop"] is None or luminance(i["backdrop"]) < 0.5)]
    assert not dark, f"{page}: transparent figures on a dark backdrop (dark ink on dark): {dark}"


# --- search ----------------------------------------------------------------------------------

def search_page(page_edition: str) -> str:
    """The search page a page of this edition sends its reader to."""
    korean = HTML / "book" / "ko" / "search.html"
    return "book/ko/search.html" if page_edition == "ko" and korean.exists() else "search.html"


WAIT_FOR_RESULTS = """
const done = arguments[arguments.length - 1];
const start = Date.now();
(function poll() {
  const summary = document.querySelector('#search-results .search-summary, p.search-summary');
  if (summary && summary.innerText.trim() && !/preparing/i.test(summary.innerText)) {
    done({summary: summary.innerText, heading: (document.querySelector('.bd-search-container h1') || {}).innerText,
          found: Array.from(document.querySelectorAll('#search-results ul.search li a')).map(a => a.href),
          summaries: Array.from(document.querySelectorAll('#search-results ul.search li p.context')).map(p => p.innerText)});
  } else if (Date.now() - start > 20000) { done(null); } else { setTimeout(poll, 100); }
})();
"""


@pytest.mark.parametrize("query, lang, expected", [
    ("합성곱", "ko", "book/ko/03_conv_layer"),
    ("스트라이드를", "ko", "book/ko/05_stride"),   # a particle attached: 스트라이드 + 를
    ("stride", "en", "book/en/05_stride"),
    ("strides", "en", "book/en/05_stride"),
])
def test_search_page_finds(site, query, lang, expected):
    base, driver = site
    driver.get(f"{base}/{search_page(lang)}?q={quote(query)}")
    seen = driver.execute_async_script(WAIT_FOR_RESULTS)
    driver.save_screenshot(str(SCREENSHOTS / f"search__{quote(query, safe='')}.png"))
    assert seen is not None, f"search for {query!r} did not finish"
    assert any(href.split("?")[0].endswith(f"/{expected}.html") for href in seen["found"]), (
        f"search for {query!r} did not find {expected}: {seen['found']}")
    chrome = [text for text in seen["summaries"] if re.search(r"\.ipynb|\.pdf|^\W*(Contents|목차)", text)]
    assert not chrome, f"search for {query!r}: result summaries start with the page's buttons: {chrome[:3]}"
    words = seen["summary"] + " " + (seen["heading"] or "")
    if lang == "ko":
        assert HANGUL.search(seen["summary"]) and "검색" in (seen["heading"] or ""), (
            f"the Korean search page speaks English: {words!r}")
    else:
        assert not HANGUL.search(words), f"the English search page speaks Korean: {words!r}"
    errors = console_errors(driver)
    assert not errors, "errors in the browser console on the search page:\n" + "\n".join(errors)


KO_TERM = re.compile(r"^(?P<ko>.*\S)\((?P<en>[^()]+)\)$")


def glossary_terms(lang: str) -> list[str]:
    """What a reader would type: every headword (English) or its Korean part (Korean)."""
    text = (ROOT / "book" / lang / "glossary.md").read_text(encoding="utf-8")
    body = text.split("```{glossary}", 1)[1].split("```", 1)[0]
    heads = [ln.strip() for ln in body.splitlines() if ln.strip() and not ln.startswith((" ", ":"))]
    return [KO_TERM.match(h)["ko"] for h in heads] if lang == "ko" else heads


def rendered_text(page: str) -> str:
    """The text of a page's article, from the built HTML (what the reader reads)."""
    page_html = (HTML / f"{page}.html").read_text(encoding="utf-8")
    article = page_html[page_html.index("<article"):page_html.index("</article>")]
    article = re.sub(r"<(script|style)\b.*?</\1>", " ", article, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", article))


def in_any_form(term: str, lang: str) -> re.Pattern:
    """The term as a reader finds it on a page. Korean: its last word with anything in
    Hangul attached (합성곱 in 합성곱을, 합성곱으로는, 합성곱하면); English: its last word
    inflected (stride, strides, strided), case ignored."""
    words = [re.escape(w) for w in term.split()]
    tail = r"[\uac00-\ud7a3]*" if lang == "ko" else r"(?:s|es|d|ed|ing)?"
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + tail + r"(?!\w)", 0 if lang == "ko" else re.I)


SEARCH_ALL = """
const results = {};
for (const term of arguments[0]) {
  const [query, terms, excluded, highlight, objects] = Search._parseQuery(term);
  results[term] = Search._performSearch(query, terms, excluded, highlight, objects).map(r => r[0]);
}
return results;
"""


def open_search_index(site, lang: str):
    base, driver = site
    driver.get(f"{base}/{search_page(lang)}")
    ready = driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const start = Date.now();
        (function poll() {
          if (typeof Search !== 'undefined' && Search.hasIndex()) done(true);
          else if (Date.now() - start > 20000) done(false); else setTimeout(poll, 100);
        })();""")
    assert ready, "the search index did not load"
    return driver


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_search_finds_every_page_that_uses_a_glossary_term(site, lang):
    """Recall: for each glossary term, the pages the search finds, against the pages whose
    rendered text contains the term in any form. Runs the book's own search code in the
    browser (Search._parseQuery and Search._performSearch, as the search page does)."""
    driver = open_search_index(site, lang)
    terms = glossary_terms(lang)
    found = driver.execute_script(SEARCH_ALL, terms)
    texts = {page: rendered_text(page) for page in PAGES}
    total, missed = 0, []
    for term in terms:
        pattern = in_any_form(term, lang)
        pages = {page for page, text in texts.items() if pattern.search(text)}
        total += len(pages)
        missed += [(term, page) for page in sorted(pages - set(found[term]))]
    recall = (total - len(missed)) / total
    bookbuild.REPORT.append(f"search recall ({lang}, {len(terms)} glossary terms): "
                            f"{total - len(missed)}/{total} pages = {recall:.1%}")
    print(bookbuild.REPORT[-1])
    assert not missed, f"search recall ({lang}) {recall:.1%}; not found (term, page): {missed}"


def test_a_particle_does_not_change_what_korean_search_finds(site):
    """A reader types 스트라이드를 or 커널로는: the pages found are those of 스트라이드, 커널."""
    driver = open_search_index(site, "ko")
    pairs = [("스트라이드를", "스트라이드"), ("패딩은", "패딩"), ("커널로는", "커널"), ("합성곱으로", "합성곱"),
             ("가중치를", "가중치"), ("채널마다", "채널")]
    found = driver.execute_script(SEARCH_ALL, [word for pair in pairs for word in pair])
    differ = [(inflected, len(set(found[inflected])), bare, len(set(found[bare])))
              for inflected, bare in pairs if set(found[inflected]) != set(found[bare])]
    assert all(found[bare] for _, bare in pairs), f"a bare word found nothing: {found}"
    assert not differ, f"(query, pages found, bare word, pages found): {differ}"


def test_query_stemmer_matches_index_stemmer(site):
    """The browser stems a query exactly as the build stemmed the index, for every word of
    every page (both editions)."""
    driver = open_search_index(site, "ko")
    words = sorted({w for page in PAGES for w in re.findall(r"\w+", rendered_text(page))})
    stems = driver.execute_script(
        "const s = new Stemmer(); return arguments[0].map(w => s.stemWord(w.toLowerCase()));", words)
    python = SearchBilingual({})
    differ = [(w, js, python.stem(w)) for w, js in zip(words, stems) if js != python.stem(w).lower()]
    assert not differ, f"{len(differ)} of {len(words)} words stem differently (word, browser, build): {differ[:20]}"


# --- the screenshots and the contact sheet ------------------------------------------------------

def test_every_screenshot_was_taken(site):
    """The one place where a picture that could not be taken (in one piece, then in parts in
    a fresh browser) is reported, by name; the page's other checks and the contact sheet go on
    without it. Looks at any page not looked at yet (when run on its own)."""
    for page in PAGES:
        with contextlib.suppress(Exception):  # a page that failed to load is reported by its own tests
            look_at(site, page)
    assert not SHOT_PROBLEMS, (f"{len(SHOT_PROBLEMS)} screenshot(s) could not be taken:\n"
                               + "\n".join(SHOT_PROBLEMS.values()))


# --- the contact sheet ------------------------------------------------------------------------

def test_contact_sheet_tiles_every_screenshot(site):
    """One image that tiles every full-page screenshot at one scale (1:8), with the page's
    name above it, one row per kind (Korean pages, English pages, phone and dark), so that
    a person can look at the whole book at a glance. A picture that could not be taken is
    left out here (test_every_screenshot_was_taken reports it), as is a page that did not load."""
    from PIL import Image, ImageDraw

    for page in PAGES:
        with contextlib.suppress(Exception):
            look_at(site, page)
    missing = [page for page in PAGES if not (SCREENSHOTS / shot_name(page)).exists()
               and shot_name(page) not in SHOT_PROBLEMS and not isinstance(SEEN[page], Exception)]
    assert not missing, f"no desktop screenshot of {missing}"
    shots = sorted(SCREENSHOTS.glob("*.jpg"))
    rows = [[p for p in shots if p.stem.startswith("book__ko__") and "@" not in p.stem],
            [p for p in shots if not p.stem.startswith("book__ko__") and "@" not in p.stem],
            [p for p in shots if "@" in p.stem]]
    scale, label, gap = 8, 14, 6
    tiles = []
    for row in rows:
        tiles.append([])
        for path in row:
            with Image.open(path) as image:
                size = (max(1, image.width // scale), max(1, image.height // scale))
                tiles[-1].append((path.stem.replace("book__", ""), image.convert("RGB").resize(size)))
    widths = [sum(t.width + gap for _, t in row) for row in tiles]
    heights = [max((t.height for _, t in row), default=0) + label + gap for row in tiles]
    sheet = Image.new("RGB", (max(widths), sum(heights)), "white")
    draw = ImageDraw.Draw(sheet)
    y = 0
    for row, height in zip(tiles, heights):
        x = 0
        for name, tile in row:
            draw.text((x, y), name[:max(4, tile.width // 6)], fill="black")
            sheet.paste(tile, (x, y + label))
            x += tile.width + gap
        y += height
    sheet.save(SCREENSHOTS / "contact-sheet.png", optimize=True)
    expected = ({shot_name(page) for page in PAGES if not isinstance(SEEN[page], Exception)}
                | {shot_name(page, str(PHONE_WIDTH)) for page in PHONE_SHOTS}
                | {shot_name(page, "dark") for page in DARK_SHOTS})
    assert {p.name for row in rows for p in row} == expected - set(SHOT_PROBLEMS)
    assert sum(len(row) for row in tiles) == len(expected - set(SHOT_PROBLEMS))


# --- a stalled browser -----------------------------------------------------------------------
# A busy machine can make Chromium take minutes for one command. Pages whose script blocks
# the browser's main thread (a busy loop) for far longer than the command timeout stand in
# for that: the harness must give up on the command in bounded time, go on in a fresh
# browser, and report what it could not do once, naming the page.

STALL_TIMEOUT = 10  # seconds per command in these tests (the book's pages get COMMAND_TIMEOUT)
SPIN = "function spin(ms) { const end = Date.now() + ms; while (Date.now() < end) {} }\n"
TALL = '<div style="height: 3000px; background: linear-gradient(#fff, #36c)">tall</div>'
STALL_PAGES = {
    # blocks while the page loads, as long as stall.js says so
    "load.html": '<title>A page</title><script src="stall.js"></script><p>loaded</p>',
    "stall.js": SPIN + "spin(30000);",
    # blocks when the window is resized: a full-length capture resizes it to the page's height
    "resize.html": f"<title>Tall</title><script>{SPIN}addEventListener('resize', () => spin(30000));"
                   f"</script>{TALL}",
    # blocks when resized or scrolled: neither a capture in one piece nor one in parts gets through
    "always.html": f"<title>Tall</title><script>{SPIN}addEventListener('resize', () => spin(30000));"
                   f"addEventListener('scroll', () => spin(30000));</script>{TALL}",
    "ok.html": "<title>Fine</title><p>fine</p>",
    # taller than a JPEG can be (65,500 pixels), as the API page became: dark at the bottom
    "taller.html": "<title>Taller</title><style>body{margin:0}</style><div style='height:69000px'></div>"
                   "<div style='height:1000px;background:#000'></div>",
}


@pytest.fixture
def stall_site(tmp_path):
    require_browser("the real-browser test")
    for name, text in STALL_PAGES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    with serve(tmp_path) as base:
        yield base, tmp_path


def alive(profile: str) -> bool:
    """Whether a Chromium process of this profile is still running."""
    mark = f"--user-data-dir={profile}".encode()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError), open(f"/proc/{pid}/cmdline", "rb") as f:
            if mark in f.read().split(b"\0"):
                return True
    return False


def test_a_stalled_page_is_opened_again_in_a_fresh_browser(stall_site):
    """The first visit stalls (the page's script blocks for 30 s); the command gives up after
    the timeout, the stalled browser is ended, and the second visit, in a fresh browser,
    finds the page answering again."""
    base, folder = stall_site
    drivers, profiles = [], []

    def visit(driver):
        drivers.append(driver)
        profiles.append(browser._profile)
        if len(drivers) == 2:
            (folder / "stall.js").write_text("", encoding="utf-8")  # the load has passed
        driver.get(f"{base}/load.html")
        return driver.title

    start = time.monotonic()
    with Browser(command_timeout=STALL_TIMEOUT) as browser:
        title = browser.attempt(visit, "load.html")
        assert title == "A page"
        assert browser.restarts == 1 and drivers[0] is not drivers[1]
        assert not alive(profiles[0]), "the stalled browser is still running"
        assert browser.log == [f"load.html: the browser stalled ({browser.log[0].split('(', 1)[1]}"]
    elapsed = time.monotonic() - start
    assert elapsed < 2 * STALL_TIMEOUT + 60, f"recovering took {elapsed:.0f} s"


def test_a_page_that_stalls_twice_is_reported_once_by_name(stall_site):
    base, _ = stall_site
    start = time.monotonic()
    with Browser(command_timeout=STALL_TIMEOUT) as browser:
        with pytest.raises(Stalled, match=r"^load\.html: the browser stalled twice"):
            browser.attempt(lambda driver: driver.get(f"{base}/load.html"), "load.html")
        assert browser.restarts == 2  # the second stalled browser is replaced too
        browser.driver.get(f"{base}/ok.html")  # so the page after it is looked at in one that answers
        assert browser.driver.title == "Fine"
    elapsed = time.monotonic() - start
    assert elapsed < 3 * STALL_TIMEOUT + 90, f"giving up took {elapsed:.0f} s"


def test_a_full_length_capture_that_stalls_is_taken_in_parts(stall_site):
    """Resizing the window to the page's height blocks the page: the picture is then taken
    in a fresh browser in viewport-sized parts, as tall as the page."""
    from PIL import Image

    base, _ = stall_site
    start = time.monotonic()
    with Browser(command_timeout=STALL_TIMEOUT) as browser:
        browser.driver.get(f"{base}/resize.html")
        height = browser.driver.execute_script("return document.documentElement.scrollHeight")
        jpeg, how = browser.picture(lambda driver: driver.get(f"{base}/resize.html"), "resize.html")
        assert how == "in parts" and browser.restarts == 1
        assert "resize.html: the full-length screenshot stalled" in browser.log[0]
    with Image.open(io.BytesIO(jpeg)) as image:
        assert image.size == (1280, height) and height > 3000
        gray = image.convert("L")
        assert gray.getpixel((640, 20)) > 200 and gray.getpixel((640, height - 20)) < 150  # top and bottom
    elapsed = time.monotonic() - start
    assert elapsed < STALL_TIMEOUT + 90, f"the picture took {elapsed:.0f} s"


def test_a_picture_that_fails_twice_is_one_screenshot_problem(stall_site):
    base, _ = stall_site
    start = time.monotonic()
    with Browser(command_timeout=STALL_TIMEOUT) as browser:
        browser.driver.get(f"{base}/always.html")
        with pytest.raises(ScreenshotProblem, match=r"^always\.html: no screenshot: in one piece it stalled") as error:
            browser.picture(lambda driver: driver.get(f"{base}/always.html"), "always.html")
        assert "in parts, in a fresh browser" in str(error.value)
        browser.driver.get(f"{base}/ok.html")  # and the browser answers for the next page
        assert browser.driver.title == "Fine"
    elapsed = time.monotonic() - start
    assert elapsed < 2 * STALL_TIMEOUT + 120, f"giving up took {elapsed:.0f} s"


@pytest.mark.parametrize("in_parts", [False, True], ids=["in one piece", "in parts"])
def test_a_page_taller_than_a_jpeg_is_pictured_whole_and_scaled_down(stall_site, in_parts):
    """libjpeg writes at most 65,500 pixels a side. Chromium returned an empty picture of a taller
    page, which was saved as a 0-byte file; the picture is now scaled down to fit, top to bottom."""
    from PIL import Image

    base, _ = stall_site
    with Browser() as browser:
        browser.driver.get(f"{base}/taller.html")
        jpeg = tiled_jpeg(browser.driver) if in_parts else full_length_jpeg(browser.driver)
    with Image.open(io.BytesIO(jpeg)) as image:
        assert JPEG_LIMIT - 2 <= image.height <= JPEG_LIMIT, image.size
        assert abs(image.width / image.height - 1280 / 70000) < 0.001, image.size  # the whole page, scaled
        gray = image.convert("L")
        assert gray.getpixel((image.width // 2, 20)) > 200 and gray.getpixel((image.width // 2, image.height - 20)) < 60
