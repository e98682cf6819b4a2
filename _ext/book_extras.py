"""Build-time helpers for this book: a small Sphinx extension loaded by ``_config.yml``.

Korean labels on Korean pages
    The book is one Sphinx project whose ``language`` is English, so sphinx-exercise
    writes "Exercise 1.3.2" and "Solution to Exercise 1.3.2" on every page. On pages
    under ``book/ko/`` this extension writes "연습 문제 1.3.2" and "연습 문제 1.3.2 풀이"
    instead (same numbers, same links), the fold buttons say 펼치기/접기 instead of
    "Click to show/hide", and the page is marked ``<html lang="ko">``. The theme's own
    words (검색, 목차, 이전/다음, tooltips) and figure numbers (그림 1.3.2) follow the
    page too: see ``korean_interface.py``, which this extension loads.

Readers see Hangul and find Korean words
    ``hangul_font.py`` builds the book's Korean web font (a NanumGothic subset) after the
    pages are written; ``korean_search.py`` makes the search strip Korean particles
    (가중치를 → 가중치). This extension loads both.

Numbers per edition
    Both parts of the book are numbered on their own (section 1.3 is the same page in
    both), but Sphinx counts figures and exercises per section number across the whole
    project, so the English exercises of section 1.3 continued where the Korean ones
    stopped (Exercise 1.3.6 instead of 1.3.1). After Sphinx numbers them, this extension
    renumbers figures, tables and exercises within each edition: 그림 1.3.1 and Figure
    1.3.1 are the same figure.

A clean browser console
    Inline scripts that Jupyter Book's extensions register twice are written once.

The companion API pages
    ``book/en/api.md`` and ``book/ko/api.md`` hold the line ``<!-- companion-api -->``;
    at build time it becomes one section per public module of ``companion`` (every
    ``companion/*.py`` except ``_private`` ones and the ``bench`` script), documented from
    the docstrings with autodoc. A new module shows up without editing the pages. The
    Korean page uses ``:no-index:``, so every object has one canonical entry (English).

Search results that start with the page
    Sphinx's search shows, under each result, the text of the page's ``role="main"``
    element, which in this theme begins with the header buttons and the print-only table
    of contents (".ipynb .pdf Contents 1.5.1 ..."). The search pages leave those out, and
    the TeX delimiters of formulas, which are not typeset there.

Layout fixes for readers
    ``_ext/reader.css`` (copied into ``_static/``) holds the few CSS rules the theme lacks
    for this book, such as API signatures that wrap on a phone instead of making the
    page scroll sideways.

Faster cross-references
    ``fast_numref.py`` reads each page's doctree once for all ``{numref}`` references to
    it, instead of once per reference (about 5 s of the build). This extension loads it.

Math without a network
    Sphinx loads MathJax from a CDN by default, so formulas would stay raw LaTeX offline.
    ``mathjax_path`` in ``_config.yml`` names a file of the MathJax 3 bundle that the
    ``django-static-mathjax`` wheel installs (plain MathJax files; Django is not needed);
    this extension copies that one file into the book's ``_static`` folder.
"""
from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

from korean_interface import is_korean  # beside this file in _ext/, which Sphinx puts on sys.path

logger = logging.getLogger(__name__)

EXERCISE_KO = "연습 문제"
SOLUTION_KO = "풀이"


# --- Korean labels ---------------------------------------------------------------------

def _exercise_word(app: Sphinx) -> str:
    """The word sphinx-exercise uses in the project's language ("Exercise" for ``en``)."""
    return app.config.numfig_format["exercise"].split("%s")[0].strip()


class KoreanExerciseTitles(SphinxPostTransform):
    """On Korean pages: solution titles, unnumbered exercise titles, and references to
    exercises say 연습 문제 / 풀이. Runs after sphinx-exercise has built its titles."""

    default_priority = 30
    formats = ("html",)

    def run(self) -> None:
        if not is_korean(self.env.docname):
            return
        from sphinx_exercise.nodes import exercise_node, solution_node

        word = _exercise_word(self.app)
        for node in self.document.findall(solution_node):
            title = node.children[0]
            refs = [c for c in title.children if isinstance(c, nodes.reference)]
            if not isinstance(title, nodes.title) or not refs:
                continue
            ref = refs[0]
            first = ref.children[0] if ref.children else None
            if isinstance(first, nodes.Text):  # " Exercise 1.3.2" -> "연습 문제 1.3.2"
                ref.replace(first, nodes.Text(first.astext().strip().replace(word, EXERCISE_KO, 1)))
            title.children = []
            title += ref
            title += nodes.Text(f" {SOLUTION_KO}")
            node["title"] = title.astext()
        for node in self.document.findall(exercise_node):  # exercises marked :nonumber:
            title = node.children[0]
            for text in list(title.findall(nodes.Text)):
                if text.astext() == word:
                    text.parent.replace(text, nodes.Text(EXERCISE_KO))
                    break
        for node in self.document.findall(nodes.Element):  # {ref}/{numref} to an exercise
            if "std-numref" in node.get("classes", []) and node.astext().startswith(word + " "):
                for text in list(node.findall(nodes.Text)):
                    if text.astext().startswith(word + " "):
                        text.parent.replace(text, nodes.Text(text.astext().replace(word, EXERCISE_KO, 1)))


def _visit_exercise(self, node: nodes.Element) -> None:
    """The caption "Exercise 1.3.2" comes from ``numfig_format`` while the exercise is
    written; on a Korean page it reads "연습 문제 1.3.2" for the length of this node."""
    from sphinx_exercise.nodes import visit_exercise_enumerable_node

    if is_korean(getattr(self.builder, "current_docname", None)):
        formats = self.config.numfig_format
        self._book_extras_saved_format = formats["exercise"]
        formats["exercise"] = f"{EXERCISE_KO} %s"
    visit_exercise_enumerable_node(self, node)


def _depart_exercise(self, node: nodes.Element) -> None:
    from sphinx_exercise.nodes import depart_exercise_enumerable_node

    depart_exercise_enumerable_node(self, node)
    saved = getattr(self, "_book_extras_saved_format", None)
    if saved is not None:
        self.config.numfig_format["exercise"] = saved
        self._book_extras_saved_format = None


def edition_of(docname: str) -> str:
    """The edition a page belongs to ("book/ko", "book/en"), or "" outside them.

    >>> edition_of("book/ko/03_conv_layer"), edition_of("book/intro")
    ('book/ko', '')
    """
    parts = docname.split("/")
    return "/".join(parts[:2]) if len(parts) > 2 and parts[0] == "book" else ""


def number_each_edition(app: Sphinx, env) -> list[str]:
    """Renumber figures, tables and exercises 1, 2, 3... within each section of each
    edition (Sphinx counts per section number over the whole project). Returns the pages
    whose numbers changed, so that they are written again."""
    groups: dict[tuple, list] = {}
    for docname, kinds in env.toc_fignumbers.items():
        for figtype, numbers in kinds.items():
            for figure_id, number in numbers.items():
                key = (edition_of(docname), figtype, tuple(number[:-1]))
                groups.setdefault(key, []).append((number[-1], docname, figure_id))
    changed = set()
    for (_, figtype, section), entries in groups.items():
        for new, (old, docname, figure_id) in enumerate(sorted(entries), start=1):
            if old != new:
                env.toc_fignumbers[docname][figtype][figure_id] = (*section, new)
                changed.add(docname)
    return sorted(changed)


TOGGLE_HINTS_KO = "toggleHintShow = '펼치기'; toggleHintHide = '접기';"  # sphinx-togglebutton's globals


def set_page_language(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    if is_korean(pagename):
        context["language"] = "ko"
        app.add_js_file(None, body=TOGGLE_HINTS_KO)  # this page only; runs before DOMContentLoaded


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


# --- companion API pages ---------------------------------------------------------------

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


# --- MathJax from the book itself -------------------------------------------------------

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


# --- search result summaries -------------------------------------------------------------

# Runs before Sphinx's search starts (both wait for DOMContentLoaded; this one registered first).
SEARCH_SUMMARIES = r"""
document.addEventListener('DOMContentLoaded', () => {
  if (typeof Search === 'undefined' || !Search.htmlToText) return;
  const pageText = Search.htmlToText;
  Search.htmlToText = (htmlString, anchor) => {
    const page = new DOMParser().parseFromString(htmlString, 'text/html');
    page.querySelectorAll('.bd-header-article, #jb-print-docs-body, .prev-next-footer').forEach(el => el.remove());
    // formulas are not typeset in a summary: drop the TeX delimiters \( \) \[ \] $$
    return pageText(page.documentElement.outerHTML, anchor).replace(/\\[()[\]]|\$\$/g, '');
  };
});
"""


# --- CSS fixes ---------------------------------------------------------------------------

READER_CSS = Path(__file__).parent / "reader.css"


def copy_reader_css(app: Sphinx, exc: Exception | None) -> None:
    if exc is None and app.builder.format == "html":
        shutil.copyfile(READER_CSS, Path(app.outdir) / "_static" / READER_CSS.name)


def setup(app: Sphinx) -> dict:
    app.setup_extension("sphinx_exercise")  # we override its HTML writer for exercises
    for extension in ("korean_interface", "korean_search", "hangul_font", "fast_numref"):  # beside this file in _ext/
        app.setup_extension(extension)
    from sphinx_exercise.nodes import exercise_enumerable_node

    app.add_node(exercise_enumerable_node, override=True,
                 html=(_visit_exercise, _depart_exercise),
                 singlehtml=(_visit_exercise, _depart_exercise))
    app.add_post_transform(KoreanExerciseTitles)
    app.connect("env-get-updated", number_each_edition, priority=900)  # after Sphinx numbers them
    app.connect("html-page-context", set_page_language)
    app.connect("html-page-context", drop_duplicate_scripts)
    app.connect("source-read", insert_api)
    app.connect("autodoc-process-docstring", plain_bars)
    app.connect("env-get-outdated", api_pages_outdated)
    app.connect("builder-inited", check_mathjax)
    app.connect("build-finished", copy_mathjax)
    app.add_css_file(READER_CSS.name)
    app.add_js_file(None, body=SEARCH_SUMMARIES)
    app.connect("build-finished", copy_reader_css)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
