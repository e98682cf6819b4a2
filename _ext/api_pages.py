"""The companion API pages.

``book/en/api.md`` and ``book/ko/api.md`` hold the line ``<!-- companion-api -->``; at
build time it becomes one section per public module of ``companion`` (every
``companion/*.py`` except ``_private`` ones and the ``bench`` script), documented from the
docstrings with autodoc. A new module shows up without editing the pages. The Korean page
uses ``:no-index:``, so every object has one canonical entry (English).
"""
from __future__ import annotations

import re

from sphinx.application import Sphinx

from korean_interface import is_korean  # beside this file in _ext/, which Sphinx puts on sys.path

API_MARKER = "<!-- companion-api -->"
API_EXCLUDE = {"bench"}  # a command-line script (python -m companion.bench), not an API


def companion_modules() -> list[str]:
    """The public modules of companion, in alphabetical order."""
    import pkgutil

    import companion

    return sorted(f"companion.{m.name}" for m in pkgutil.iter_modules(companion.__path__)
                  if not m.name.startswith("_") and m.name not in API_EXCLUDE)


def api_markdown(no_index: bool) -> str:
    blocks = []
    for module in companion_modules():
        options = "   :members:\n" + ("   :no-index:\n" if no_index else "")
        blocks.append(f"## `{module}`\n\n```{{eval-rst}}\n.. automodule:: {module}\n{options}```\n")
    return "\n".join(blocks)


_INLINE_LITERAL = re.compile(r"(``.+?``)")


def plain_bars(app: Sphinx, what: str, name: str, obj, options, lines: list[str]) -> None:
    r"""Docstrings here are plain text with ``literals`` and doctest examples, where
    ``|x|`` means an absolute value; reStructuredText would read it as a substitution.
    Escape bars outside inline literals, doctest blocks and literal blocks.

    >>> lines = ["|x|: the size of ``a|b``", "", ">>> abs(-1) | 0", "1"]
    >>> plain_bars(None, "function", "f", None, {}, lines); lines[0], lines[2]
    ('\\|x\\|: the size of ``a|b``', '>>> abs(-1) | 0')
    """
    in_doctest, literal_indent = False, None
    for i, line in enumerate(lines):
        stripped, indent = line.strip(), len(line) - len(line.lstrip())
        if not stripped:
            in_doctest = False
            continue
        if literal_indent is not None:
            if indent > literal_indent:
                continue
            literal_indent = None
        in_doctest = in_doctest or stripped.startswith(">>>")
        if in_doctest:
            continue
        parts = _INLINE_LITERAL.split(line)
        lines[i] = "".join(p if p.startswith("``") else p.replace("|", "\\|") for p in parts)
        if stripped.endswith("::"):
            literal_indent = indent


def insert_api(app: Sphinx, docname: str, source: list[str]) -> None:
    if API_MARKER in source[0]:
        source[0] = source[0].replace(API_MARKER, api_markdown(no_index=is_korean(docname)))


def api_pages_outdated(app: Sphinx, env, added: set, changed: set, removed: set) -> list[str]:
    """Re-read the API pages on every build: a new module must appear even when the
    pages themselves did not change (autodoc only tracks the modules it already knows)."""
    return [d for d in env.found_docs if d.endswith("/api") and d not in added | changed]


def setup(app: Sphinx) -> dict:
    app.connect("source-read", insert_api)
    app.connect("autodoc-process-docstring", plain_bars)
    app.connect("env-get-outdated", api_pages_outdated)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
