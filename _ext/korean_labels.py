"""Korean labels on Korean pages, for the parts of the page that sphinx-exercise and
sphinx-togglebutton write.

The book is one Sphinx project whose ``language`` is English, so sphinx-exercise writes
"Exercise 1.3.2" and "Solution to Exercise 1.3.2" on every page. On pages under
``book/ko/`` this extension writes "연습 문제 1.3.2" and "연습 문제 1.3.2 풀이" instead
(same numbers, same links), the fold buttons say 펼치기/접기 instead of "Click to
show/hide", and the page is marked ``<html lang="ko">``. The theme's own words and figure
numbers follow the page too: see ``korean_interface.py``.
"""
from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform

from korean_interface import is_korean  # beside this file in _ext/, which Sphinx puts on sys.path

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
        self._korean_labels_saved_format = formats["exercise"]
        formats["exercise"] = f"{EXERCISE_KO} %s"
    visit_exercise_enumerable_node(self, node)


def _depart_exercise(self, node: nodes.Element) -> None:
    from sphinx_exercise.nodes import depart_exercise_enumerable_node

    depart_exercise_enumerable_node(self, node)
    saved = getattr(self, "_korean_labels_saved_format", None)
    if saved is not None:
        self.config.numfig_format["exercise"] = saved
        self._korean_labels_saved_format = None


TOGGLE_HINTS_KO = "toggleHintShow = '펼치기'; toggleHintHide = '접기';"  # sphinx-togglebutton's globals


def set_page_language(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    if is_korean(pagename):
        context["language"] = "ko"
        app.add_js_file(None, body=TOGGLE_HINTS_KO)  # this page only; runs before DOMContentLoaded


def setup(app: Sphinx) -> dict:
    app.setup_extension("sphinx_exercise")  # we override its HTML writer for exercises
    from sphinx_exercise.nodes import exercise_enumerable_node

    app.add_node(exercise_enumerable_node, override=True,
                 html=(_visit_exercise, _depart_exercise),
                 singlehtml=(_visit_exercise, _depart_exercise))
    app.add_post_transform(KoreanExerciseTitles)
    app.connect("html-page-context", set_page_language)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
