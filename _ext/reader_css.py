"""Layout fixes for readers.

``_ext/reader.css`` (copied into ``_static/``) holds the few CSS rules the theme lacks for
this book, such as API signatures that wrap on a phone instead of making the page scroll
sideways.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from sphinx.application import Sphinx


READER_CSS = Path(__file__).parent / "reader.css"


def copy_reader_css(app: Sphinx, exc: Exception | None) -> None:
    if exc is None and app.builder.format == "html":
        shutil.copyfile(READER_CSS, Path(app.outdir) / "_static" / READER_CSS.name)


def setup(app: Sphinx) -> dict:
    app.add_css_file(READER_CSS.name)
    app.connect("build-finished", copy_reader_css)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
