"""Resolve ``{numref}`` without reading the target page from disk once per reference.

Sphinx 7.4 resolves every numref by loading the doctree of the page that holds the
target (``env.get_doctree``: one unpickle, about 25 ms). The D2L exercises appendix
alone points at 110 exercises on other pages, so numrefs cost about 5 s of a 30 s build.
Here the doctrees that numref resolution reads are loaded once per build; it only
reads them (the ids of the target node), and nothing else sees these copies.

The patch replaces a private method of Sphinx, written for Sphinx 7.4 (its signature and
its one call to ``env.get_doctree``). On any other Sphinx the build stops with a message
instead of patching a method that may have changed: read the new method, then update
:data:`WRITTEN_FOR`.
"""
from __future__ import annotations

import sphinx
from sphinx.application import Sphinx
from sphinx.domains.std import StandardDomain
from sphinx.errors import ExtensionError

WRITTEN_FOR = (7, 4)  # the Sphinx (major, minor) whose StandardDomain._resolve_numref_xref this patches

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


def check_version(version: tuple = sphinx.version_info) -> None:
    """Fail loudly on a Sphinx this patch was not written for.

    >>> check_version((7, 4, 7, "final", 0))
    >>> check_version((8, 1, 3, "final", 0))
    Traceback (most recent call last):
    ...
    sphinx.errors.ExtensionError: _ext/fast_numref.py patches StandardDomain._resolve_numref_xref of Sphinx 7.4, but this is Sphinx 8.1: compare the method with Sphinx 7.4's, then update WRITTEN_FOR (or remove fast_numref from _config.yml)
    """
    if tuple(version[:2]) != WRITTEN_FOR:
        raise ExtensionError(
            f"_ext/fast_numref.py patches StandardDomain._resolve_numref_xref of Sphinx "
            f"{'.'.join(map(str, WRITTEN_FOR))}, but this is Sphinx {version[0]}.{version[1]}: compare "
            f"the method with Sphinx {'.'.join(map(str, WRITTEN_FOR))}'s, then update WRITTEN_FOR "
            f"(or remove fast_numref from _config.yml)")


def setup(app: Sphinx) -> dict:
    check_version()
    if not getattr(StandardDomain._resolve_numref_xref, "reads_once", False):
        StandardDomain._resolve_numref_xref = _read_once(StandardDomain._resolve_numref_xref)
    app.connect("builder-inited", _forget)
    app.connect("build-finished", _forget)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
