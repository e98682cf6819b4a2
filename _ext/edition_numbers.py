"""Numbers per edition.

Both parts of the book are numbered on their own (section 1.3 is the same page in both),
but Sphinx counts figures and exercises per section number across the whole project, so
the English exercises of section 1.3 continued where the Korean ones stopped (Exercise
1.3.6 instead of 1.3.1). After Sphinx numbers them, this extension renumbers figures,
tables and exercises within each edition: 그림 1.3.1 and Figure 1.3.1 are the same figure.
"""
from __future__ import annotations

from sphinx.application import Sphinx


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


def setup(app: Sphinx) -> dict:
    app.connect("env-get-updated", number_each_edition, priority=900)  # after Sphinx numbers them
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
