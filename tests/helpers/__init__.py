"""Helpers shared by the tests: reading notebooks and pages, building and serving the book,
the bad-input case table. Tests import them as ``from tests.helpers.bookbuild import ...``."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

EXT = Path(__file__).resolve().parents[2] / "_ext"


def book_extension(name: str) -> ModuleType:
    """The book's local Sphinx extension ``_ext/<name>.py`` as a module, loaded once.

    One module object per name, so the doctests of a module and the objects other tests import
    from it are the same.
    """
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, EXT / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]
