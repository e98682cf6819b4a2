"""Every page of the built book, opened in a real (headless) Chromium.

For each page: it loads, has its title, every image has loaded, the formulas are typeset,
the console shows no errors, Korean pages contain Hangul, and the link to the twin page
resolves. A screenshot of each page goes to _build/screenshots/. Then the search page must
find "합성곱" and "stride".

Needs Debian's `chromium` and `chromium-driver`; without them the test is skipped with a
message, except in CI (the CI variable is set), where it fails.
"""
from __future__ import annotations

import json
import re
import shutil
import urllib.request
from urllib.parse import quote

import pytest

from bookbuild import HTML, SCREENSHOTS, all_pages, build_book, source_of
from browser import APT_LINE, chromium, in_ci, missing_browser, serve

HANGUL = re.compile(r"[\uac00-\ud7a3]")
PAGES = all_pages()
TWIN = {"ko": "en", "en": "ko"}


@pytest.fixture(scope="module")
def site():
    reason = missing_browser()
    if reason:
        if in_ci():
            pytest.fail(f"the browser test must run in CI, but {reason}. Add `{APT_LINE}` to .ci/run.")
        pytest.skip(f"real-browser test skipped: {reason}")
    build_book()  # once per session, shared with test_book.py
    assert (HTML / "index.html").exists(), "the book was not built (see tests/test_book.py)"
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)  # no stale pictures of removed pages
    SCREENSHOTS.mkdir(parents=True)
    with serve(HTML) as base, chromium() as driver:
        driver.set_script_timeout(30)
        yield base, driver


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


# Wait until the page has settled: images decoded, MathJax done. Returns what it saw.
SETTLE = """
const done = arguments[arguments.length - 1];
const start = Date.now();
document.querySelectorAll('img[loading="lazy"]').forEach(img => { img.loading = 'eager'; });
const images = () => Array.from(document.images);
function finish() {
  done({
    images: images().map(img => [img.currentSrc || img.src, img.naturalWidth]),
    math: document.querySelectorAll('.math').length,
    typeset: document.querySelectorAll('mjx-container').length,
    mathErrors: document.querySelectorAll('mjx-merror').length,
    text: (document.querySelector('main') || document.body).innerText,
  });
}
(function poll() {
  const loading = images().some(img => !img.complete);
  const mathPending = document.querySelector('.math') &&
      !(window.MathJax && MathJax.startup && MathJax.startup.promise);
  if ((loading || mathPending) && Date.now() - start < 20000) { setTimeout(poll, 100); return; }
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    MathJax.startup.promise.then(finish, finish);
  } else {
    finish();
  }
})();
"""


def console_errors(driver) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


@pytest.mark.parametrize("page", PAGES)
def test_page_in_a_real_browser(site, page):
    base, driver = site
    driver.get(f"{base}/{page}.html")
    seen = driver.execute_async_script(SETTLE)
    driver.save_screenshot(str(SCREENSHOTS / f"{page.replace('/', '__')}.png"))

    title = source_title(page)
    assert title in driver.title, f"{page}: the browser shows the title {driver.title!r}, expected {title!r}"
    broken = [src for src, width in seen["images"] if not width]
    assert not broken, f"{page}: images that did not load: {broken}"
    if seen["math"]:
        assert seen["typeset"] > 0, f"{page}: MathJax typeset no formula (is _static/mathjax there?)"
        assert seen["mathErrors"] == 0, f"{page}: {seen['mathErrors']} formulas MathJax could not parse"
    errors = console_errors(driver)
    assert not errors, f"{page}: errors in the browser console:\n" + "\n".join(errors)

    edition = page.split("/")[1] if page.startswith("book/") else None
    if edition == "ko":
        assert len(HANGUL.findall(seen["text"])) > 20, f"{page}: a Korean page with (almost) no Hangul"
    if edition in TWIN:
        name = page.rsplit("/", 1)[1]
        links = driver.execute_script(
            "return Array.from(document.querySelectorAll('main article a')).map(a => a.href)")
        twin = next((href for href in links if href.endswith(f"/book/{TWIN[edition]}/{name}.html")), None)
        assert twin, f"{page}: no link to its twin book/{TWIN[edition]}/{name}.html"
        with urllib.request.urlopen(twin, timeout=10) as response:
            assert response.status == 200, f"{page}: the twin link {twin} answers {response.status}"


@pytest.mark.parametrize("query, edition", [("합성곱", "ko"), ("stride", "en")])
def test_search_finds(site, query, edition):
    base, driver = site
    driver.get(f"{base}/search.html?q={quote(query)}")
    # Sphinx searches in JavaScript; it writes a summary line when it is done.
    found = driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const start = Date.now();
        (function poll() {
          const summary = document.querySelector('#search-results .search-summary, p.search-summary');
          if (summary && summary.innerText.trim() && !/preparing/i.test(summary.innerText)) {
            done(Array.from(document.querySelectorAll('#search-results ul.search li a')).map(a => a.href));
          } else if (Date.now() - start > 20000) { done(null); } else { setTimeout(poll, 100); }
        })();
    """)
    driver.save_screenshot(str(SCREENSHOTS / f"search__{quote(query, safe='')}.png"))
    assert found is not None, f"search for {query!r} did not finish"
    assert any(f"/book/{edition}/" in href for href in found), (
        f"search for {query!r} found no page of the {edition} edition: {found}")
    errors = console_errors(driver)
    assert not errors, "errors in the browser console on the search page:\n" + "\n".join(errors)
