"""Search results that start with the page.

Sphinx's search shows, under each result, the text of the page's ``role="main"`` element,
which in this theme begins with the header buttons and the print-only table of contents
(".ipynb .pdf Contents 1.5.1 ..."). ``search_summaries.js`` leaves those out of the
summaries, and the TeX delimiters of formulas, which are not typeset there.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from sphinx.application import Sphinx

SCRIPT = Path(__file__).parent / "search_summaries.js"


def copy_script(app: Sphinx, exc: Exception | None) -> None:
    if exc is None and app.builder.format == "html":
        shutil.copyfile(SCRIPT, Path(app.outdir) / "_static" / SCRIPT.name)


def setup(app: Sphinx) -> dict:
    app.add_js_file(SCRIPT.name)
    app.connect("build-finished", copy_script)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
