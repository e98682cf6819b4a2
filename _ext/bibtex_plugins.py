"""pybtex's plain-text backend looked up once per build, not once per citation.

sphinxcontrib-bibtex asks pybtex for its ``plaintext`` backend each time it resolves a
citation (``{cite:t}`` and ``{cite:p}``), and pybtex answers by scanning the entry points
of every installed package, about 20 ms a time: 2 s of the build for this book's ~100
citations. Registered as a pybtex runtime plugin (pybtex's public ``register_plugin``,
with the class its entry point names), the lookup is a dictionary read.

>>> import pybtex.plugin
>>> _ = setup(None)
>>> pybtex.plugin.find_plugin("pybtex.backends", "plaintext").__module__
'pybtex.backends.plaintext'
"""
from __future__ import annotations

import pybtex.plugin
from sphinx.application import Sphinx

LOOKED_UP_PER_CITATION = [("pybtex.backends", "plaintext")]


def setup(app: Sphinx | None) -> dict:
    for group, name in LOOKED_UP_PER_CITATION:
        found = pybtex.plugin.find_plugin(group, name)  # the entry point, once
        pybtex.plugin.register_plugin(group, name, found, force=True)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
