"""Math without a network.

Sphinx loads MathJax from a CDN by default, so formulas would stay raw LaTeX offline.
``mathjax_path`` in ``_config.yml`` names a file of the MathJax 3 bundle that the
``django-static-mathjax`` wheel installs (plain MathJax files; Django is not needed); this
extension copies that one file into the book's ``_static`` folder.
"""
from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

MATHJAX_PACKAGE = "mathjax"  # import name of the django-static-mathjax wheel (never imported)
MATHJAX_FIX = "pip install django-static-mathjax==3.2.2.1 (or `make book`, which installs requirements.txt)"


def mathjax_source(mathjax_path: str) -> Path | None:
    """Where the installed MathJax bundle keeps the file that ``mathjax_path`` names."""
    spec = importlib.util.find_spec(MATHJAX_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        candidate = Path(folder) / "static" / "mathjax" / "es5" / Path(mathjax_path).name
        if candidate.is_file():
            return candidate
    return None


def _is_local(mathjax_path: str) -> bool:
    return bool(mathjax_path) and "://" not in mathjax_path and not mathjax_path.startswith("/")


def check_mathjax(app: Sphinx) -> None:
    path = app.config.mathjax_path
    if app.builder.format == "html" and _is_local(path) and mathjax_source(path) is None:
        logger.warning(f"offline MathJax: no {Path(path).name} installed; formulas will not render. "
                       f"Fix: {MATHJAX_FIX}")


def copy_mathjax(app: Sphinx, exc: Exception | None) -> None:
    path = app.config.mathjax_path
    if exc is not None or app.builder.format != "html" or not _is_local(path):
        return
    source = mathjax_source(path)
    if source is not None:
        target = Path(app.outdir) / "_static" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", check_mathjax)
    app.connect("build-finished", copy_mathjax)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
