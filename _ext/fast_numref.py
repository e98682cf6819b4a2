"""Resolve ``{numref}`` without reading the target page from disk once per reference.

Sphinx 7.4 resolves every numref by loading the doctree of the page that holds the
target (``env.get_doctree``: one unpickle, about 25 ms). The D2L exercises appendix
alone points at 110 exercises on other pages, so numrefs cost about 5 s of a 30 s build.
Here the doctrees that numref resolution reads are loaded once per build; it only
reads them (the ids of the target node), and nothing else sees these copies.
"""
from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.domains.std import StandardDomain

_doctrees: dict[str, object] = {}


def _forget(*args) -> None:
    _doctrees.clear()


def _read_once(resolve):
    def resolve_numref(self, env, *args, **kwargs):
        load = env.get_doctree

        def cached(docname: str):
            if docname not in _doctrees:
                _doctrees[docname] = load(docname)
            return _doctrees[docname]

        env.get_doctree = cached  # an attribute of this env, only while this reference resolves
        try:
            return resolve(self, env, *args, **kwargs)
        finally:
            del env.get_doctree
    resolve_numref.reads_once = True
    return resolve_numref


def setup(app: Sphinx) -> dict:
    if not getattr(StandardDomain._resolve_numref_xref, "reads_once", False):
        StandardDomain._resolve_numref_xref = _read_once(StandardDomain._resolve_numref_xref)
    app.connect("builder-inited", _forget)
    app.connect("build-finished", _forget)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
