"""A clean browser console: inline scripts that Jupyter Book's extensions register twice
are written once."""
from __future__ import annotations

from sphinx.application import Sphinx


def drop_duplicate_scripts(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """sphinx-thebe and sphinx-togglebutton register their inline scripts twice under
    Jupyter Book 1.0; the second `const THEBE_JS_URL = ...` is a SyntaxError in the console."""
    seen, unique = set(), []
    for script in context.get("script_files", []):
        filename = getattr(script, "filename", script) or ""  # None and "" both mean inline
        key = (str(filename), tuple(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app: Sphinx) -> dict:
    app.connect("html-page-context", drop_duplicate_scripts)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
