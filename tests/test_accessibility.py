"""Every page of the built book as a reader with a screen reader or only a keyboard meets it.

- axe-core (Deque's engine, vendored in tests/vendor/axe-core with its licence) runs on every
  page of both editions, in light and in dark mode, at 1280 px and at 390 px, with the WCAG
  2.0/2.1 A and AA rules and axe's best practices. Any serious or critical violation fails
  the test, listed by rule, page, width, mode and element. The counts of every rule, also
  moderate and minor ones, are printed at the end of the run.
- Language: each page's ``<html lang>`` is its edition's; English inside Korean sentences
  (the parenthesised originals and inline code) is marked ``lang="en"``.
- Keyboard: a chapter page walked with Tab, Enter and Space alone: the skip link leads to
  the content, every control shows where the focus is, and a solution opens.
- Formulas: MathJax gives a screen reader the formula (MathML beside the drawing).

One browser, and one load per page: axe is injected into every new document once, the
colour mode is switched on the loaded page (``data-theme`` on ``<html>``, as the theme's own
button does) and the width through Chromium's device metrics.

Needs Debian's `chromium` and `chromium-driver`; without them the test is skipped with a
message, except in CI (the CI variable is set), where it fails.
"""
from __future__ import annotations

import re
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.helpers import bookbuild
from tests.helpers.bookbuild import HTML, all_pages, build_book
from tests.helpers.browser import chromium, require_browser, serve

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
# label-content-name-mismatch (WCAG 2.5.3) is "experimental" in axe, so not among the tags'
# rules by default: asked for by name.
EXTRA_RULES = ["label-content-name-mismatch"]
# The colour mode changes colours only (the same DOM, the same layout): in the second mode
# axe runs the rules about colour.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]
BLOCKING = {"serious", "critical"}
WIDTHS = [(1280, 900, False), (390, 844, True)]
MODES = ["light", "dark"]
PAGES = all_pages()
HANGUL = re.compile(r"[\uac00-\ud7a3]")
CHAPTER = "book/ko/03_conv_layer"  # the keyboard walk and the formula check

# Where a rule is wrong for one element: (rule, CSS selector of that element, why). Empty.
EXCLUSIONS: list[tuple[str, str, str]] = []


@pytest.fixture(scope="module")
def site():
    require_browser("the accessibility test")
    build_book()  # once per session, shared with test_book.py and test_browser.py
    assert (HTML / "index.html").exists(), "the book was not built (see tests/test_book.py)"
    with serve(HTML) as base, chromium() as driver:
        driver.set_script_timeout(120)
        driver.set_page_load_timeout(300)  # a busy machine: a page with many formulas is slow
        config = getattr(driver.command_executor, "_client_config", None)
        if config is not None:  # Selenium waits 120 s for a command; axe on the API page can take longer
            config.timeout = 600
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument",
                               {"source": AXE.read_text(encoding="utf-8")})
        yield base, driver


# Wait for MathJax (it rewrites the formulas) and the web fonts; null or what went wrong.
SETTLE = """
const done = arguments[arguments.length - 1];
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));
(async () => {
  const start = Date.now();
  if (document.querySelector('.math')) {
    while (!(window.MathJax && MathJax.startup && MathJax.startup.promise) && Date.now() - start < 20000) {
      await sleep(50);
    }
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
  }
  await document.fonts.ready;
  done(typeof axe === 'undefined' ? 'axe-core was not injected' : null);
})().catch(error => done(String(error)));
"""

# Switch the colour mode as the theme's button does, wait for the theme's reaction to a new
# width and until no transition runs, then run axe. arguments: mode, tags, extra rules, only
# these rules (or null), exclusions [[rule, selector]].
# After a resize the theme gives every box that scrolls a tab stop, 300 ms later (debounced;
# SCROLLERS is its selector). On a busy machine that can take longer than 400 ms, so the audit
# waits until the theme has done it, up to 5 s; if the theme never does, axe reports it.
AUDIT = """
const [mode, tags, extra, only, exclusions] = arguments;
const done = arguments[arguments.length - 1];
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));
const SCROLLERS = 'pre, .nboutput > .output_area, .cell_output > .output, .jp-RenderedHTMLCommon, ' +
                  '.pst-scrollable-table-container';
const tabStopsSettled = () => [...document.querySelectorAll(SCROLLERS)].every(el =>
  (el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight) === (el.tabIndex === 0));
(async () => {
  if (document.documentElement.dataset.theme !== mode) {
    document.documentElement.dataset.mode = mode;
    document.documentElement.dataset.theme = mode;
  }
  if (window.__a11yWidth === innerWidth) {
    await sleep(30);
  } else {
    await sleep(400);
    const resized = Date.now();
    while (!tabStopsSettled() && Date.now() - resized < 5000) await sleep(100);
  }
  window.__a11yWidth = innerWidth;
  const start = Date.now();
  while (document.getAnimations().some(a => a.playState === 'running') && Date.now() - start < 3000) {
    await sleep(30);
  }
  const rules = Object.fromEntries(extra.map(id => [id, {enabled: true}]));
  const runOnly = only ? {type: 'rule', values: only} : {type: 'tag', values: tags};
  const result = await axe.run(document, {runOnly, rules: only ? {} : rules, resultTypes: ['violations']});
  const excluded = (rule, node) => exclusions.some(([r, selector]) => r === rule &&
    document.querySelectorAll(selector).length === 1 &&
    node.target.length === 1 && document.querySelector(node.target[0]) === document.querySelector(selector));
  done(result.violations.map(v => ({
    rule: v.id, impact: v.impact,
    nodes: v.nodes.filter(n => !excluded(v.id, n))
                  .map(n => ({target: n.target.join(' > '), impact: n.impact, summary: n.failureSummary})),
  })).filter(v => v.nodes.length));
})().catch(error => done([{rule: 'axe-error', impact: 'critical', nodes: [{target: String(error)}]}]));
"""


def audit(driver, base: str, page: str) -> list[dict]:
    """axe's violations on one page at both widths and in both modes, one entry per node."""
    found = []
    driver.get(f"{base}/{page}.html")
    problem = driver.execute_async_script(SETTLE)
    assert problem is None, f"{page}: {problem}"
    exclusions = [[rule, selector] for rule, selector, _ in EXCLUSIONS]
    try:
        for width, height, mobile in WIDTHS:
            driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                   {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})
            for mode in MODES:
                only = None if mode == MODES[0] else COLOUR_RULES
                for v in driver.execute_async_script(AUDIT, mode, TAGS, EXTRA_RULES, only, exclusions):
                    for node in v["nodes"]:
                        found.append({"page": page, "width": width, "mode": mode, "rule": v["rule"],
                                      "impact": node.get("impact") or v["impact"], "target": node["target"],
                                      "summary": node.get("summary", "")})
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    return found


def test_axe_finds_no_serious_or_critical_violation(site):
    base, driver = site
    start = time.perf_counter()
    found = [v for page in PAGES + ["book/ko/search", "search"] for v in audit(driver, base, page)]
    seconds = time.perf_counter() - start
    counts = Counter((v["impact"], v["rule"]) for v in found)
    bookbuild.REPORT.append(f"axe-core on {len(PAGES) + 2} pages x {len(WIDTHS)} widths x {len(MODES)} modes "
                            f"in {seconds:.0f} s: " + (", ".join(f"{rule} ({impact}) {n}" for (impact, rule), n
                                                                 in sorted(counts.items())) or "no violations"))
    blocking = [v for v in found if v["impact"] in BLOCKING]
    lines = sorted({f"{v['rule']} ({v['impact']}) {v['page']} @{v['width']}px {v['mode']}: {v['target']}"
                    for v in blocking})
    assert not blocking, (f"{len(blocking)} serious or critical axe violations "
                          f"({dict(Counter(v['rule'] for v in blocking))}):\n" + "\n".join(lines[:80]))


# --- language ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def built():
    build_book()
    assert (HTML / "index.html").exists(), "the book was not built (see tests/test_book.py)"
    return HTML


def html_lang(path: Path) -> str | None:
    match = re.search(r"<html[^>]*\slang=\"([^\"]+)\"", path.read_text(encoding="utf-8"))
    return match.group(1) if match else None


def test_every_page_speaks_its_editions_language(built):
    wrong = {}
    for page in PAGES + ["book/ko/search", "search"]:
        expected = "ko" if page.startswith("book/ko/") else "en"
        lang = html_lang(built / f"{page}.html")
        if lang != expected:
            wrong[page] = lang
    assert not wrong, f"<html lang> is not the edition's language: {wrong}"


def test_english_inside_korean_sentences_is_marked_english(built):
    """On a Korean page, the parenthesised originals and inline code carry lang="en", and
    the Korean text around them does not."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup((built / f"{CHAPTER}.html").read_text(encoding="utf-8"), "html.parser")
    article = soup.select_one("article")
    english = [el.get_text() for el in article.select('[lang="en"]')]
    assert "receptive field" in english, f"{CHAPTER}: (receptive field) is not marked English: {english[:20]}"
    code = article.select("p code")
    assert code and all(c.get("lang") == "en" or c.find_parent(attrs={"lang": "en"}) for c in code), \
        f"{CHAPTER}: inline code without lang=\"en\": {[c.get_text() for c in code if c.get('lang') != 'en'][:5]}"
    korean = [t for t in english if HANGUL.search(t)]
    assert not korean, f"{CHAPTER}: Korean text marked English: {korean[:5]}"
    assert article.find_parent("html").get("lang") == "ko"


# --- the keyboard ------------------------------------------------------------------------------

# The focused element: what it is, whether the focus is drawn (an outline or a ring), and
# whether it comes after the previously focused one in the page.
FOCUSED = """
const el = document.activeElement;
if (!el || el === document.body) return null;
const style = getComputedStyle(el);
const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
const ring = style.boxShadow && style.boxShadow !== 'none';
const box = el.getBoundingClientRect();
const previous = window.__a11yPrevious;
window.__a11yPrevious = el;
const name = (el.getAttribute('aria-label') || el.textContent || el.getAttribute('title') || '').trim();
return {
  what: `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${Array.from(el.classList).join('.')} "${name.slice(0, 40)}"`,
  visible: outline || ring, shown: box.width > 0 && box.height > 0,
  forward: !previous || !!(previous.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING) ||
           previous.contains(el) || el.contains(previous),
  inMain: !!el.closest('#main-content'),
  skip: el.matches('.skip-link a, a.skip-link'),
  solution: el.matches('.solution button.toggle-button, .solution summary'),
  expanded: el.getAttribute('aria-expanded'),
};
"""

SOLUTION_OPEN = """
const el = document.activeElement.closest('.solution');
const body = el && Array.from(el.children).find(c => !c.classList.contains('admonition-title'));
return !!el && !el.classList.contains('toggle-hidden') && !!body && body.getBoundingClientRect().height > 0;
"""


def test_a_chapter_page_works_by_keyboard_alone(site):
    """Tab from the top: the skip link comes first and leads into the content; every control
    on the way shows its focus, in the page's order; Enter opens a solution, Space closes
    it and opens it again."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    base, driver = site
    driver.get(f"{base}/{CHAPTER}.html")
    assert driver.execute_async_script(SETTLE) is None
    def press(key):
        return ActionChains(driver).send_keys(key).perform()

    press(Keys.TAB)
    first = driver.execute_script(FOCUSED)
    assert first and first["skip"], f"{CHAPTER}: the first Tab reaches {first}, not the skip link"
    assert first["visible"] and first["shown"], f"{CHAPTER}: the skip link is not shown when focused: {first}"
    press(Keys.ENTER)
    driver.execute_script("window.__a11yPrevious = null")
    walked, unseen, backwards = [], [], []
    for _ in range(400):
        press(Keys.TAB)
        now = driver.execute_script(FOCUSED)
        assert now, f"{CHAPTER}: Tab left the page after {walked[-3:]}"
        if not walked:
            assert now["inMain"], f"{CHAPTER}: after the skip link, Tab reaches {now['what']}, outside the content"
        walked.append(now["what"])
        if not (now["visible"] and now["shown"]):
            unseen.append(now["what"])
        if not now["forward"]:
            backwards.append(now["what"])
        if now["solution"]:
            break
    else:
        pytest.fail(f"{CHAPTER}: no solution toggle within 400 Tabs: {walked[-5:]}")
    assert not unseen, f"{CHAPTER}: controls without a visible focus: {unseen}"
    assert not backwards, f"{CHAPTER}: Tab went back up the page at: {backwards}"
    assert not driver.execute_script(SOLUTION_OPEN), f"{CHAPTER}: the solution was open before Enter"
    press(Keys.ENTER)
    assert driver.execute_script(SOLUTION_OPEN), f"{CHAPTER}: Enter on {walked[-1]} did not open the solution"
    assert driver.execute_script(FOCUSED)["solution"], f"{CHAPTER}: the focus left the toggle"
    press(Keys.SPACE)
    assert not driver.execute_script(SOLUTION_OPEN), f"{CHAPTER}: Space did not close the solution"
    press(Keys.SPACE)
    assert driver.execute_script(SOLUTION_OPEN), f"{CHAPTER}: Space did not open the solution"
    bookbuild.REPORT.append(f"keyboard walk on {CHAPTER}: {len(walked)} Tabs from the skip link to a solution")


# --- formulas ----------------------------------------------------------------------------------

# Every typeset formula: is the drawing hidden from screen readers, and what MathML do they
# get instead.
FORMULAS = """
return Array.from(document.querySelectorAll('article mjx-container')).map(c => {
  const svg = c.querySelector(':scope > svg');
  const math = c.querySelector('mjx-assistive-mml math');
  return {hidden: !!svg && svg.getAttribute('aria-hidden') === 'true',
          mathml: math ? math.textContent : null, display: c.getAttribute('display') === 'true'};
});
"""


def test_formulas_are_read_as_mathml(site):
    """MathJax's assistive MathML is on: each formula has MathML for a screen reader and its
    drawing is hidden; the kernel size k_h × k_w reads kh×kw."""
    base, driver = site
    driver.get(f"{base}/{CHAPTER}.html")
    assert driver.execute_async_script(SETTLE) is None
    formulas = driver.execute_script(FORMULAS)
    assert formulas, f"{CHAPTER}: no typeset formula"
    silent = [i for i, f in enumerate(formulas) if not f["mathml"] or not f["hidden"]]
    assert not silent, f"{CHAPTER}: formulas without MathML for screen readers: {silent} of {len(formulas)}"
    kernel_size = [f["mathml"] for f in formulas if f["mathml"] == "kh×kw"]
    assert kernel_size, f"{CHAPTER}: no formula reads kh×kw (the kernel size): {[f['mathml'] for f in formulas[:5]]}"
    sums = [f["mathml"] for f in formulas if f["display"]]
    assert sums and "∑" in sums[0], f"{CHAPTER}: the cross-correlation formula reads {sums[:1]}"


