"""The stored notebooks: twins agree, outputs are clean, and the code a page teaches is the
companion's code (one source per algorithm)."""
from __future__ import annotations

import ast
import functools
import importlib
import inspect
import pkgutil
import re
import unicodedata

import pytest

import companion
from tests.helpers.notebooks import BOOK, ROOT, code_cells, load, notebooks, python_only, source

KO = sorted(p.name for p in (BOOK / "ko").glob("*.ipynb"))
EN = sorted(p.name for p in (BOOK / "en").glob("*.ipynb"))
ALL = notebooks()


def ids(paths):
    return [str(p.relative_to(BOOK)) for p in paths]


def test_there_are_pages():
    assert KO, "no notebooks under book/ko"


def test_every_page_has_a_twin():
    assert KO == EN, f"only in ko: {sorted(set(KO) - set(EN))}; only in en: {sorted(set(EN) - set(KO))}"


class Blank(ast.NodeTransformer):
    """Set string literals aside: they may be translated. (Comments never reach the AST.)"""

    def visit_Constant(self, node):
        return ast.Constant(value="") if isinstance(node.value, str) else node

    def visit_JoinedStr(self, node):  # f"...": blank the text, keep expressions and their formats
        values = [ast.Tuple(elts=[self.visit(v.value), ast.Constant(v.conversion),
                                  ast.Constant(ast.dump(v.format_spec) if v.format_spec else None)],
                            ctx=ast.Load())
                  for v in node.values if isinstance(v, ast.FormattedValue)]
        return ast.Tuple(elts=values, ctx=ast.Load())


def shape(src: str) -> str:
    return ast.dump(Blank().visit(ast.parse(python_only(src))))


@pytest.mark.parametrize("name", sorted(set(KO) & set(EN)))
def test_twin_code_cells_are_identical_but_for_comments_and_strings(name):
    ko, en = code_cells(load(BOOK / "ko" / name)), code_cells(load(BOOK / "en" / name))
    assert len(ko) == len(en), f"{name}: {len(ko)} code cells in ko, {len(en)} in en"
    for n, (a, b) in enumerate(zip(ko, en)):
        assert shape(source(a)) == shape(source(b)), (
            f"{name}, code cell {n}: the code differs\n--- ko\n{source(a)}\n--- en\n{source(b)}")
        assert sorted(a["metadata"].get("tags", [])) == sorted(b["metadata"].get("tags", [])), \
            f"{name}, code cell {n}: tags differ"


def test_blanking_sees_real_differences():
    assert shape('print("가", x)  # 주석') == shape("print('a', x)  # comment")
    assert shape('f"손실 {loss:.3f}"') == shape('f"loss {loss:.3f}"')
    assert shape('f"{loss:.3f}"') != shape('f"{loss:.4f}"')  # rounding is code, not text
    assert shape("plot(x, 'a')") != shape("plot(y, 'a')")
    assert shape("lr = 0.1") != shape("lr = 0.2")


MACHINE_PATH = re.compile("|".join([re.escape(str(ROOT)), r"/root/", r"/home/\w+/", r"/tmp/",
                                    r"site-packages", r"/Users/\w+/", r"[A-Z]:\\\\Users"]))
ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
TIMING = re.compile(r"\b\d+(\.\d+)?\s?(ms|sec|seconds|s)\b(?! per)|\bit/s\b|examples/sec")


IGNORED = "nbval-ignore-output"  # the cell tag for an output that legitimately varies
MAX_LINE = 88  # columns of a line of code on a page (a desktop listing shows them whole)


def columns(line: str) -> int:
    """Columns a line takes in a code listing: Hangul and other wide characters take two
    (a Hangul glyph is about twice as wide as a monospace Latin letter).

    >>> columns("x = 1  # 합성곱"), len("x = 1  # 합성곱")
    (15, 12)
    """
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def output_text(out: dict) -> str:
    text = out.get("text", "")
    text = text if isinstance(text, str) else "".join(text)
    for mime in ("text/plain", "text/html", "text/markdown"):
        v = out.get("data", {}).get(mime, "")
        text += v if isinstance(v, str) else "".join(v)
    return text


@pytest.mark.parametrize("path", ALL, ids=ids(ALL))
def test_hygiene(path):
    nb = load(path)
    cells = code_cells(nb)
    assert [c["execution_count"] for c in cells] == list(range(1, len(cells) + 1)), \
        "execution counts are not 1..n: run `make notebooks NB=...` (fresh kernel, top to bottom)"
    assert nb["metadata"].get("kernelspec", {}).get("name") == "python3"
    for n, cell in enumerate(cells):
        src, tags = source(cell), cell["metadata"].get("tags", [])
        where = f"{path.relative_to(BOOK)}, code cell {n}"
        assert src.strip(), f"{where}: empty code cell"
        for k, line in enumerate(src.splitlines(), 1):
            assert columns(line) <= MAX_LINE, (
                f"{where}, line {k}: {columns(line)} columns (at most {MAX_LINE}; Hangul counts twice)")
        assert not src.rstrip().endswith(";"), (
            f"{where}: ends with ';' — nbval runs cells with store_history=False, where IPython "
            "ignores it; end plot cells with plt.show() or assign the value")
        for out in cell["outputs"]:
            if out["output_type"] == "error":
                assert "raises-exception" in tags, f"{where}: stored error {out['ename']} without the raises-exception tag"
            if out["output_type"] == "stream":
                assert out["name"] == "stdout", f"{where}: stderr output (a warning the reader would see)"
            text = output_text(out)
            assert not MACHINE_PATH.search(text), f"{where}: a path of this machine in the output"
            assert not ADDRESS.search(text), f"{where}: a memory address in the output"
        assert "NBVAL" not in src, (
            f"{where}: the code holds an nbval comment; mark an output that varies with the cell tag "
            f"'{IGNORED}' instead (the reader's code is the lesson, not the test machinery)")
        if IGNORED in tags:
            following = cells[n + 1] if n + 1 < len(cells) else None
            assert following is not None and "assert" in source(following), (
                f"{where}: an ignored output must be followed by a cell that asserts what matters")


# --- One source per algorithm ---------------------------------------------------------------
# A page teaches an algorithm by defining it in a code cell the reader can edit and re-run; the
# cells after it use the page's definition. That cell must be the companion's definition of the
# same name, syntax trees equal once docstrings are set aside (a Korean page may translate them).

TEACHES = {  # the definitions each section must show as code cells (both editions)
    "01_fc_to_conv": ["fc_params", "param_bytes", "cost_table", "conv_as_fc_matrix"],
    "02_invariance": ["shift2d", "equivariance_error", "relative_change", "influence_map"],
    "03_conv_layer": ["corr2d", "corr2d_fast", "Conv2D", "conv2d_flip", "receptive_field"],
    "04_padding": ["comp_conv2d", "pad2d", "conv_output_size", "conv_output_shape"],
    "06_channels": ["corr2d_multi_in", "corr2d_multi_in_out", "corr2d_multi_in_out_1x1", "conv2d_cost"],
    "07_pooling": ["pool2d", "pool2d_multi"],
    "08_lenet": ["LeNet", "init_xavier", "train_epoch"],
}
MAX_DEFINITION_LINES = 25  # lines of a shown definition, its docstrings not counted

DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


class NoDocstrings(ast.NodeTransformer):
    """Set docstrings aside: a page may shorten or translate them. Set decorators aside too: the
    package's checks sit there (``@checked(kernel_inside, **CORR2D)``), beside the algorithm, and a page
    shows the algorithm alone. (Comments never reach the AST.)"""

    def visit(self, node):
        node = super().visit(node)
        if isinstance(node, DEFINITIONS):
            node.decorator_list = []
            if node.body and is_docstring(node.body[0]):
                node.body = node.body[1:] or [ast.Pass()]
        return node


def is_docstring(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)


def definition_shape(node: ast.AST) -> str:
    return ast.dump(NoDocstrings().visit(ast.parse(ast.unparse(node)).body[0]))


def same_definition(a: str, b: str) -> bool:
    """Whether two pieces of source define the same thing, docstrings and comments aside."""
    return definition_shape(ast.parse(a).body[0]) == definition_shape(ast.parse(b).body[0])


def docstring_lines(node: ast.AST) -> set[int]:
    lines = set()
    for n in ast.walk(node):
        if isinstance(n, DEFINITIONS) and n.body and is_docstring(n.body[0]):
            lines |= set(range(n.body[0].lineno, n.body[0].end_lineno + 1))
    return lines


def shown_lines(node: ast.AST) -> int:
    """Lines of a definition as the page shows it, its docstrings not counted."""
    return node.end_lineno - node.lineno + 1 - len(docstring_lines(node))


def is_check(name: str) -> bool:
    """Whether ``name`` is one of the package's argument checks: a guard of a public function
    (``kernel_inside``), a rule (``Tensor``, ``Pair``) or a ``check_*`` function."""
    guards = {getattr(getattr(f, "guard", None), "__name__", None) for m in public_modules() for f in vars(m).values()}
    return name.startswith("check_") or name in guards or name in {"checked", "Rule"} or (
        isinstance(getattr(companion._check, name, None), type) and issubclass(getattr(companion._check, name), companion._check.Rule))


def public_modules() -> list:
    return [importlib.import_module(f"companion.{m.name}") for m in pkgutil.iter_modules(companion.__path__)
            if not m.name.startswith("_") and m.name != "bench"]


@functools.cache
def companion_definitions() -> dict[str, tuple[str, ast.AST]]:
    """Every public function and class of the companion: name -> (module, syntax tree)."""
    found = {}
    for m in public_modules():
        for node in ast.parse(inspect.getsource(m)).body:
            if isinstance(node, DEFINITIONS) and not node.name.startswith("_"):
                assert node.name not in found, f"{node.name} is defined in {found[node.name][0]} and {m.__name__}"
                found[node.name] = (m.__name__, node)
    return found


def page_definitions(path) -> list[tuple[int, ast.AST]]:
    return [(n, node) for n, cell in enumerate(code_cells(load(path)))
            for node in ast.parse(python_only(source(cell))).body if isinstance(node, DEFINITIONS)]


def test_comparison_sees_real_differences_and_only_those():
    ours = inspect.getsource(companion.conv.corr2d)
    assert same_definition(ours, ours)
    translated = ours.replace('"""2-D cross-correlation', '"""2차원 상호 상관', 1).replace(
        "# ", "# 주석: ")  # another docstring, other comments
    assert translated != ours and same_definition(translated, ours)
    reformatted = ours.replace("h, w = K.shape", "h, w = (\n        K.shape\n    )")
    assert same_definition(reformatted, ours)
    assert "@checked(kernel_inside, **CORR2D)\n" in ours
    assert same_definition(ours.replace("@checked(kernel_inside, **CORR2D)\n", ""), ours)  # the checks aside
    for a, b in [("(X[i:i + h, j:j + w] * K).sum()", "(X[i:i + h, j:j + w] * K).mean()"),
                 ("X.shape[0] - h + 1", "X.shape[0] - h"),
                 ("h, w = K.shape", "w, h = K.shape"),
                 ("for j in range(Y.shape[1])", "for j in range(Y.shape[0])"),
                 ("    h, w = K.shape\n", "    h, w = K.shape\n    kernel_inside(X, K)\n")]:
        assert a in ours
        assert not same_definition(ours.replace(a, b, 1), ours), f"{a!r} -> {b!r} went unnoticed"
    init = inspect.getsource(companion.models.LeNet)
    assert not same_definition(init.replace('"avg"', '"max"', 1), init)  # a default value
    assert not same_definition(init.replace("kernel_size=5, padding=2", "kernel_size=5, padding=1"), init)


@pytest.mark.parametrize("path", ALL, ids=ids(ALL))
def test_code_a_page_defines_is_the_companions_code(path):
    """A cell that defines a companion name holds the companion's definition of it."""
    ours = companion_definitions()
    for n, node in page_definitions(path):
        if node.name in ours:
            module, reference = ours[node.name]
            assert definition_shape(node) == definition_shape(reference), (
                f"{path.relative_to(BOOK)}, code cell {n}: {node.name} differs from {module}.{node.name}. "
                f"The page and the package must not drift apart: copy the companion's definition "
                f"into the cell (only its docstring may differ)\n--- page\n{ast.unparse(node)}")


@pytest.mark.parametrize("page", sorted(TEACHES))
@pytest.mark.parametrize("edition", ["ko", "en"])
def test_each_page_shows_what_it_teaches_as_editable_code(page, edition):
    path = BOOK / edition / f"{page}.ipynb"
    defined = {node.name: (n, node) for n, node in page_definitions(path)}
    for name in TEACHES[page]:
        assert name in defined, f"{path.relative_to(BOOK)}: no code cell defines {name}"
        n, node = defined[name]
        assert shown_lines(node) <= MAX_DEFINITION_LINES, (
            f"{path.relative_to(BOOK)}, code cell {n}: {name} takes {shown_lines(node)} lines without its "
            f"docstring (at most {MAX_DEFINITION_LINES})")
        assert not any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and is_check(n.func.id)
                       for n in ast.walk(node)), (
            f"{path.relative_to(BOOK)}, code cell {n}: {name} calls an argument check; the package's guard "
            f"sits beside its definition (@checked), and the page shows the algorithm alone")
        assert name in companion_definitions(), f"{name} is not a companion definition"


def test_taught_definitions_cover_what_the_course_teaches_once_each():
    taught = [name for names in TEACHES.values() for name in names]
    assert len(taught) == len(set(taught)), "a definition is taught on two pages"
    assert {"corr2d", "corr2d_fast", "Conv2D", "comp_conv2d", "conv_output_size", "conv_output_shape", "pad2d",
            "corr2d_multi_in", "corr2d_multi_in_out", "corr2d_multi_in_out_1x1", "pool2d", "LeNet",
            "init_xavier", "train_epoch", "equivariance_error", "relative_change",
            "influence_map"} <= set(taught)


def imported_names(path) -> list[tuple[int, str, str]]:
    """(cell, module, name) for every name a page imports from the companion."""
    found = []
    for n, cell in enumerate(code_cells(load(path))):
        for node in ast.walk(ast.parse(python_only(source(cell)))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "companion":
                found += [(n, node.module, alias.name) for alias in node.names]
            elif isinstance(node, ast.Import) and any(a.name.split(".")[0] == "companion" for a in node.names):
                found.append((n, "companion", "*"))
    return found


@pytest.mark.parametrize("path", ALL, ids=ids(ALL))
def test_pages_import_each_name_from_the_module_that_holds_it(path):
    defined = {node.name for _, node in page_definitions(path)}
    for n, module, name in imported_names(path):
        where = f"{path.relative_to(BOOK)}, code cell {n}"
        if module == "companion" and name in {m.__name__.rsplit(".", 1)[1] for m in public_modules()}:
            continue  # a module: its guarded functions, e.g. channels.corr2d_multi_in refusing bad input
        assert module != "companion", f"{where}: import {name} from its module (companion.<module>), not the package"
        assert not name.startswith("_"), f"{where}: {name} is private to {module}"
        assert not is_check(name), (
            f"{where}: {name} is an argument check; a page shows the algorithm, not the package's guards")
        held = getattr(importlib.import_module(module), name)
        home = getattr(held, "__module__", module)
        assert home == module, f"{where}: {name} lives in {home}; import it from there"
        assert name not in defined, f"{where}: {name} is imported, but the page defines it itself"


# --- The reader's text is the lesson ---------------------------------------------------------
# How the book is checked is told once, on the appendix page "How this book is checked"; the
# chapters talk about convolutions, not about the test machinery.
CHAPTERS = sorted(BOOK.glob("*/0?_*.ipynb"))
MACHINERY = re.compile(r"tests/|\btest_\w+\.py\b|(?i:\bnbval)|(?i:\bpytest\b)|make test|\bCI\b|"
                       r"companion\.bench|make bench")


def machinery(text: str) -> list[str]:
    """The mentions of test machinery in ``text``.

    >>> machinery("see tests/test_conv.py; nbval re-runs it in CI (make test), as does NBVAL")
    ['tests/', 'test_conv.py', 'nbval', 'CI', 'make test', 'NBVAL']
    >>> machinery("a CIFAR image, a tested idea, a circle, test_acc")
    []
    """
    return [m.group(0) for m in MACHINERY.finditer(text)]


@pytest.mark.parametrize("path", CHAPTERS, ids=ids(CHAPTERS))
def test_chapter_pages_do_not_talk_about_the_test_machinery(path):
    found = []
    for n, cell in enumerate(load(path)["cells"]):
        src = source(cell)
        if cell["cell_type"] == "code":  # its comments only: code may well call a function test_...
            src = "\n".join(line.split("#", 1)[1] for line in src.splitlines() if "#" in line)
        found += [f"cell {n}: {m!r}" for m in machinery(src)]
    assert not found, (f"{path.relative_to(BOOK)} talks about the test machinery ({'; '.join(found)}); "
                       "the appendix page 'How this book is checked' tells it once")


@pytest.mark.parametrize("edition", ["ko", "en"])
def test_the_checks_page_lists_every_exempt_output(edition):
    """book/*/checks.md lists each cell tagged nbval-ignore-output (page, code cell counted from 1)."""
    listed = set(re.findall(r"^\| (0\d) \| (\d+) \|", (BOOK / edition / "checks.md").read_text(encoding="utf-8"),
                            re.MULTILINE))
    tagged = {(path.name[:2], str(n)) for path in sorted((BOOK / edition).glob("0?_*.ipynb"))
              for n, cell in enumerate(code_cells(load(path)), 1) if IGNORED in cell["metadata"].get("tags", [])}
    assert listed == tagged, f"only on the page: {sorted(listed - tagged)}; only tagged: {sorted(tagged - listed)}"
