"""Print each edition of the built book to one PDF: ``make pdf``.

    python _ext/make_pdf.py            # after `jupyter-book build .`

reads ``_build/html`` and writes ``_build/pdf/cnn-course-ko.pdf`` and
``_build/pdf/cnn-course-en.pdf``, then copies both into the root of the site
(``_build/html/``), where the landing page links them (``_ext/book_pdf.py``).

How
    The site is served on 127.0.0.1 and opened in the headless Chromium that the browser
    tests drive (Debian's ``chromium`` and ``chromium-driver``; no network, no LaTeX).
    Each page of an edition, in the order of ``_toc.yml`` (the overview, sections 1 to 8,
    then the appendix), is loaded; the script waits until MathJax has typeset every
    formula, every image has loaded and the fonts are ready, opens the folded solutions
    (as the theme does before printing), and prints the page with the DevTools command
    ``Page.printToPDF`` under the book's print stylesheet (``_ext/print.css``). The pages'
    PDFs are joined with pypdf, each page's own bookmarks (its numbered headings) under
    one bookmark per page. Hangul is drawn with the book's web font (the NanumGothic
    subset in ``_static/fonts/``), which Chromium embeds in the PDF.

Each page is printed on its own rather than all pages joined into one HTML document, so
every page's own scripts (MathJax, the animations) run exactly as in the browser.
"""
from __future__ import annotations

import argparse
import base64
import io
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
if str(ROOT / "_ext") not in sys.path:
    sys.path.insert(0, str(ROOT / "_ext"))

from book_pdf import EDITIONS, pdf_name  # noqa: E402  (beside this file)

HTML = ROOT / "_build" / "html"
OUT = ROOT / "_build" / "pdf"
TITLES = {"ko": "합성곱 신경망", "en": "Convolutional Neural Networks"}
PAGE_TIMEOUT_S = 300  # generous: a busy machine prints a long page slowly

# Runs in the page: everything drawn, then the solutions opened. Returns what the page
# holds that would print wrongly (formulas MathJax did not typeset, images that failed).
READY_JS = r"""
const [firstPage, done] = arguments;
(async () => {
  // Page numbers run on through the edition; the page's title stands in the footer.
  const h1 = document.querySelector('article h1');
  const title = h1 ? h1.textContent.replace(/#\s*$/, '').trim() : document.title;
  const style = document.createElement('style');
  style.media = 'print';
  style.textContent = `@page { @bottom-left { content: ${JSON.stringify(title)};
    font: 8pt "Book Hangul", sans-serif; color: #666; } }
    @page :first { counter-increment: page ${firstPage}; }`;
  document.head.appendChild(style);
  document.querySelectorAll('img[loading="lazy"]').forEach(img => { img.loading = 'eager'; });
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
  await Promise.all(Array.from(document.images).map(img => img.complete ? null :
    new Promise(resolve => { img.addEventListener('load', resolve); img.addEventListener('error', resolve); })));
  window.dispatchEvent(new Event('beforeprint'));  // the theme opens folded blocks for print
  // Code cells folded on the page (tag hide-cell: <details class="hide">) print unfolded.
  document.querySelectorAll('details.hide').forEach(d => { d.open = true; });
  await document.fonts.ready;
  const raw = Array.from(document.querySelectorAll('.math'))
    .filter(el => !el.querySelector('mjx-container') && /\\[(\[]|\$\$/.test(el.textContent));
  done({
    title,
    raw_math: raw.map(el => el.textContent.slice(0, 60)),
    broken_images: Array.from(document.images).filter(img => img.complete && !img.naturalWidth)
      .map(img => img.getAttribute('src')),
  });
})().catch(e => done({error: String(e)}));
"""

PRINT = {
    "printBackground": True,
    "preferCSSPageSize": True,  # A4 and the margins of _ext/print.css
    "displayHeaderFooter": False,  # the footer comes from @page rules (print.css, READY_JS)
    "generateDocumentOutline": True,
    "transferMode": "ReturnAsBase64",
}


def toc_pages(lang: str) -> list[str]:
    """The pages of an edition in reading order, as ``_toc.yml`` lists them."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))

    def files(entries):
        for entry in entries:
            yield entry["file"]
            yield from files(entry.get("sections", []))

    prefix = f"book/{lang}/"
    return [f for part in toc["parts"] for f in files(part["chapters"]) if f.startswith(prefix)]


def patient(driver) -> None:
    """Wait up to PAGE_TIMEOUT_S for a page to load, be ready, and print."""
    driver.set_script_timeout(PAGE_TIMEOUT_S)
    driver.set_page_load_timeout(PAGE_TIMEOUT_S)
    driver.command_executor.client_config.timeout = PAGE_TIMEOUT_S  # Selenium's default: 120 s


def print_page(driver, url: str, first_page: int = 1, reload: bool = True) -> tuple[dict, bytes]:
    """Print one page of the site; its PDF's first page is numbered ``first_page``
    (``reload=False``: the page the driver shows now, as it is)."""
    if reload:
        driver.get(url)
    info = driver.execute_async_script(READY_JS, first_page)
    if info.get("error") or info["raw_math"] or info["broken_images"]:
        raise RuntimeError(f"{url} is not ready to print: {info}")
    result = driver.execute_cdp_cmd("Page.printToPDF", PRINT)
    return info, base64.b64decode(result["data"])


def join(lang: str, printed: list[tuple[dict, bytes]], target: Path) -> int:
    """One PDF from the pages' PDFs, with one bookmark per page; returns the page count."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for info, data in printed:
        reader = PdfReader(io.BytesIO(data))
        writer.append(reader, outline_item=info["title"], import_outline=True)
    writer.add_metadata({"/Title": TITLES[lang], "/Author": "The CNN course authors"})
    writer.page_mode = "/UseOutlines"
    from pypdf.generic import NameObject, TextStringObject
    writer._root_object[NameObject("/Lang")] = TextStringObject(lang)
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    with open(partial, "wb") as f:
        writer.write(f)
    partial.replace(target)
    return len(writer.pages)


def build(html: Path = HTML, out: Path = OUT, editions=EDITIONS, copy_to_site: bool = True,
          log=print) -> dict[str, dict]:
    """Print ``editions`` of the site in ``html`` to ``out``; returns, per edition, the
    file, its page count and size, and the seconds it took."""
    from pypdf import PdfReader

    from tests.helpers.browser import chromium, missing_browser, serve

    if not (html / "index.html").is_file():
        raise SystemExit(f"{html} holds no built book: run `jupyter-book build .` first")
    why = missing_browser()
    if why:
        raise SystemExit(f"cannot print the PDFs: {why}")
    report = {}
    with serve(html) as base, chromium() as driver:
        patient(driver)
        # Light colours; and reduced motion, so that an animation (class conv-anim) does not
        # play by itself and prints its first frame.
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [
            {"name": "prefers-color-scheme", "value": "light"},
            {"name": "prefers-reduced-motion", "value": "reduce"}]})
        for lang in editions:
            start = time.perf_counter()
            printed, count = [], 0
            for page in toc_pages(lang):
                printed.append(print_page(driver, f"{base}/{page}.html", first_page=count + 1))
                count += len(PdfReader(io.BytesIO(printed[-1][1])).pages)
            target = out / pdf_name(lang)
            pages = join(lang, printed, target)
            seconds = time.perf_counter() - start
            if copy_to_site:
                shutil.copyfile(target, html / target.name)
            report[lang] = {"file": target, "pages": pages, "bytes": target.stat().st_size,
                            "seconds": seconds, "titles": [info["title"] for info, _ in printed]}
            log(f"{target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}: "
                f"{pages} pages, {target.stat().st_size / 1e6:.1f} MB, {seconds:.0f} s")
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=HTML, help="the built site (default: _build/html)")
    parser.add_argument("--out", type=Path, default=OUT, help="where the PDFs go (default: _build/pdf)")
    parser.add_argument("--edition", choices=EDITIONS, action="append", help="only this edition")
    parser.add_argument("--no-copy", action="store_true", help="do not copy the PDFs into the site")
    args = parser.parse_args(argv)
    build(args.html, args.out, tuple(args.edition or EDITIONS), copy_to_site=not args.no_copy)


if __name__ == "__main__":
    main()
