"""The book on paper: a print stylesheet, and links to the PDF of each edition.

``_ext/make_pdf.py`` (``make pdf``) prints each edition of the built site to one PDF,
``_build/pdf/cnn-course-ko.pdf`` and ``cnn-course-en.pdf``, and copies both into the root
of the site beside ``cnn-course.zip``. This extension, loaded by ``_config.yml``,

* serves ``_ext/print.css`` with ``media="print"``: what the printer sees (no sidebars or
  buttons, code that wraps at the page edge, no break inside a figure or a table);
* adds the role ``{edition-pdf}`text <ko>```, a link to that edition's PDF, relative to
  the page being written (the landing page uses it). The link is written whether or not
  the PDF exists yet: the PDFs are printed from the built site, so they come after it.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import ReferenceRole
from sphinx.util.osutil import relative_uri

PRINT_CSS = Path(__file__).parent / "print.css"
EDITIONS = ("ko", "en")


def pdf_name(lang: str) -> str:
    """The file name of an edition's PDF.

    >>> pdf_name("ko")
    'cnn-course-ko.pdf'
    """
    if lang not in EDITIONS:
        raise ValueError(f"edition must be one of {EDITIONS}, got {lang!r}")
    return f"cnn-course-{lang}.pdf"


class edition_pdf(nodes.reference):
    """A link to an edition's PDF; its address is filled in when the page is written."""


class EditionPdfRole(ReferenceRole):
    def run(self):
        if self.target not in EDITIONS:
            msg = self.inliner.reporter.error(
                f"edition-pdf: the target must be one of {EDITIONS}, got {self.target!r}", line=self.lineno)
            return [self.inliner.problematic(self.rawtext, self.rawtext, msg)], [msg]
        return [edition_pdf(self.rawtext, self.title, lang=self.target)], []


class ResolveEditionPdf(SphinxPostTransform):
    """The address of the PDF relative to the page being written (``../cnn-course-ko.pdf``)."""

    default_priority = 5

    def run(self) -> None:
        for node in list(self.document.findall(edition_pdf)):
            uri = relative_uri(self.app.builder.get_target_uri(self.env.docname), pdf_name(node["lang"]))
            node.replace_self(nodes.reference(node.rawsource, node.astext(), refuri=uri,
                                              classes=["edition-pdf"]))


def copy_print_css(app: Sphinx, exc: Exception | None) -> None:
    if exc is None and app.builder.format == "html":
        shutil.copyfile(PRINT_CSS, Path(app.outdir) / "_static" / PRINT_CSS.name)


def setup(app: Sphinx) -> dict:
    app.add_css_file(PRINT_CSS.name, media="print")
    app.add_role("edition-pdf", EditionPdfRole())
    app.add_post_transform(ResolveEditionPdf)
    app.connect("build-finished", copy_print_css)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
