"""Helpers shared by the tests: reading notebooks and pages, building and serving the book,
the bad-input case table. Tests import them as ``from tests.helpers.bookbuild import ...``."""
from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

EXT = Path(__file__).resolve().parents[2] / "_ext"


def book_extension(name: str) -> ModuleType:
    """The book's local Sphinx extension ``_ext/<name>.py`` as a module, imported as Sphinx
    imports it: with ``_ext/`` on the path (``local_extensions`` in ``_config.yml``), so the
    extensions can import each other. One module object per name, so the doctests of a module
    and the objects other tests import from it are the same.
    """
    if str(EXT) not in sys.path:
        sys.path.append(str(EXT))
    return importlib.import_module(name)
