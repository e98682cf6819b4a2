"""Every reader, also one with a screen reader or only a keyboard (WCAG 2.1 AA).

``tests/test_accessibility.py`` runs axe-core on every page; this extension fixes what it
found where our pages or the theme's markup are the cause.

- English inside Korean sentences: on Korean pages, the Latin-script words of the text
  (the parenthesised originals such as "(receptive field)", names such as LeNet) and
  inline code are marked ``lang="en"``, so that a screen reader reads them with English
  rules and not as Korean (docutils writes the class ``language-en`` as ``lang="en"``).
- The bibliography: docutils marks each entry ``role="doc-biblioentry"``, a role that
  DPUB-ARIA 1.1 deprecates and that does not count as an item of the surrounding
  ``role="list"``: entries are written as ``role="listitem"``.
- Notebook tables: pandas writes the name of a table's index in a second header row of
  empty cells; it moves into the empty corner cell.
- The sidebar's fold buttons: pydata-sphinx-theme writes each ``<summary>`` with only an
  icon, which a screen reader announces as a nameless button; each gets the name of the
  section it folds ("Sections of 1.3 ...", "1.3 ... 하위 절").
- Templates (``_ext/templates/``) of the theme's controls: the search button's name is
  its visible text, the colour-mode button's icons carry no second name, and the site
  title sits in a landmark.
- ``_ext/accessibility.js``: each solution's fold button is named after the solution.
- ``_ext/accessibility.css``: a visible focus ring on every control and text colours that
  keep a 4.5:1 contrast in both colour modes.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform

from korean_interface import is_korean  # beside this file in _ext/, which Sphinx puts on sys.path

CSS = Path(__file__).parent / "accessibility.css"
JS = Path(__file__).parent / "accessibility.js"  # after sphinx-togglebutton's script (500)
ENGLISH = "language-en"  # docutils writes it as lang="en"
HANGUL = re.compile(r"[\uac00-\ud7a3]")
LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-'’./][A-Za-z0-9]+)*(?:[ ,/-]+[A-Za-z0-9][A-Za-z0-9]*(?:[-'’./][A-Za-z0-9]+)*)*")
# Text in these nodes is code, formulas or markup, not a sentence.
NOT_PROSE = (nodes.literal, nodes.literal_block, nodes.math, nodes.math_block, nodes.raw,
             nodes.comment, nodes.doctest_block, nodes.target, addnodes.desc_signature)


def english_runs(text: str) -> list[tuple[str, bool]]:
    """A text cut into pieces, each marked whether it is a run of Latin-script words.

    >>> english_runs("수용 영역(receptive field)이라고 합니다")
    [('수용 영역(', False), ('receptive field', True), (')이라고 합니다', False)]
    >>> english_runs("합성곱")
    [('합성곱', False)]
    """
    pieces, start = [], 0
    for match in LATIN_RUN.finditer(text):
        if match.start() > start:
            pieces.append((text[start:match.start()], False))
        pieces.append((match.group(), True))
        start = match.end()
    if start < len(text):
        pieces.append((text[start:], False))
    return pieces


class EnglishInKorean(SphinxPostTransform):
    """On Korean pages: Latin-script runs of the text and inline code get ``lang="en"``."""

    default_priority = 990  # after the references are resolved and the titles are made

    def run(self) -> None:
        if not is_korean(self.env.docname):
            return
        for node in self.document.findall(lambda n: isinstance(n, (nodes.literal, addnodes.desc_signature))):
            node["classes"].append(ENGLISH)  # inline code, and the API's signatures
        for text in list(self.document.findall(nodes.Text)):
            parent = text.parent
            if not isinstance(parent, nodes.TextElement):
                continue
            if any(isinstance(a, NOT_PROSE) or ENGLISH in a.get("classes", ()) for a in _ancestors(parent)):
                continue
            block = next(a for a in _ancestors(parent) if not isinstance(a, nodes.Inline))
            if not HANGUL.search(block.astext()):  # a sentence in English (a docstring, a name)
                if LATIN_RUN.search(block.astext()):
                    block["classes"].append(ENGLISH)
                continue
            pieces = english_runs(text.astext())
            if not any(latin for _, latin in pieces):
                continue
            if len(pieces) == 1 and isinstance(parent, nodes.inline):  # the whole span is English
                parent["classes"].append(ENGLISH)
                continue
            new = [nodes.inline(piece, piece, classes=[ENGLISH]) if latin else nodes.Text(piece)
                   for piece, latin in pieces]
            index = parent.index(text)
            parent[index:index + 1] = new


def _ancestors(node: nodes.Node):
    while node is not None:
        yield node
        node = node.parent


def visit_citation(self, node: nodes.Element) -> None:
    """docutils' own, with ``role="listitem"`` instead of the deprecated doc-biblioentry."""
    if not isinstance(node.previous_sibling(), type(node)):
        self.body.append('<div role="list" class="citation-list">\n')
    self.body.append(self.starttag(node, "div", classes=[node.tagname], role="listitem"))


def depart_citation(self, node: nodes.Element) -> None:
    self.body.append("</div>\n")
    if not isinstance(node.next_node(descend=False, siblings=True), type(node)):
        self.body.append("</div>\n")


def merge_index_header(html: str) -> str:
    """A pandas table whose index has a name writes that name in a second header row of
    empty cells under an empty corner cell: empty headers, which a screen reader announces
    as nothing. The name moves into the corner and the second row goes.

    >>> merge_index_header('<table class="dataframe"><thead><tr><th></th><th>FC</th></tr>'
    ...                    '<tr><th>image</th><th></th></tr></thead><tbody></tbody></table>')
    '<table class="dataframe"><thead><tr><th>image</th><th>FC</th></tr></thead><tbody></tbody></table>'
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for table in soup.select("table.dataframe"):
        rows = table.select("thead > tr")
        if len(rows) != 2:
            continue
        first, second = (row.find_all(["th", "td"], recursive=False) for row in rows)
        texts = [cell.get_text(strip=True) for cell in second]
        if (len(first) == len(second) and not first[0].get_text(strip=True)
                and texts[0] and not any(texts[1:])):
            first[0].string = texts[0]
            rows[1].decompose()
    return str(soup)


class PandasHeaders(SphinxPostTransform):
    """Notebook outputs: pandas tables without empty header cells (see merge_index_header)."""

    default_priority = 990

    def run(self) -> None:
        for raw in self.document.findall(nodes.raw):
            if "html" in raw.get("format", "").split() and 'class="dataframe"' in raw.astext():
                html = merge_index_header(raw.astext())
                raw.replace(raw.children[0], nodes.Text(html))


SECTIONS_OF = {"en": "Sections of {}", "ko": "{} 하위 절"}


def name_summaries(html: str, language: str) -> str:
    """Give each nameless ``<summary>`` of the sidebar the name of the section it folds.

    >>> name_summaries('<li><a href="x.html">1.3 Pooling</a><details><summary>'
    ...                '<span class="toctree-toggle" role="presentation"></span></summary></details></li>', "en")
    '<li><a href="x.html">1.3 Pooling</a><details><summary aria-label="Sections of 1.3 Pooling"><span class="toctree-toggle" role="presentation"></span></summary></details></li>'
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for summary in soup.find_all("summary"):
        if summary.get_text(strip=True) or summary.get("aria-label"):
            continue
        item = summary.find_parent("li")
        link = item.find("a", recursive=False) if item else None
        if link is not None:
            summary["aria-label"] = SECTIONS_OF[language].format(" ".join(link.get_text().split()))
    return str(soup)


def named_toctree(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """After the theme (priority 500) has put its toctree function into the context."""
    generate = context.get("generate_toctree_html")
    if generate is None:
        return
    language = "ko" if is_korean(pagename) else "en"

    def generate_named(*args, **kwargs) -> str:
        return name_summaries(str(generate(*args, **kwargs)), language)

    context["generate_toctree_html"] = generate_named


def copy_static(app: Sphinx, exc: Exception | None) -> None:
    if exc is None and app.builder.format == "html":
        for source in (CSS, JS):
            shutil.copyfile(source, Path(app.outdir) / "_static" / source.name)


def setup(app: Sphinx) -> dict:
    app.setup_extension("korean_interface")  # its templates folder holds our overrides
    app.add_post_transform(EnglishInKorean)
    app.add_post_transform(PandasHeaders)
    app.add_node(nodes.citation, override=True, html=(visit_citation, depart_citation))
    app.connect("html-page-context", named_toctree, priority=600)
    app.add_css_file(CSS.name)
    app.add_js_file(JS.name, priority=600)
    app.connect("build-finished", copy_static)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
