"""The stored notebooks: twins agree, outputs are clean, and pages don't fork the companion."""
from __future__ import annotations

import ast
import importlib
import pkgutil
import re

import pytest

import companion
from notebooks import BOOK, ROOT, code_cells, load, notebooks, python_only, source

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
        if "NBVAL_IGNORE_OUTPUT" in src:
            following = cells[n + 1] if n + 1 < len(cells) else None
            assert following is not None and "assert" in source(following), (
                f"{where}: an ignored output must be followed by a cell that asserts what matters")


def companion_public_names() -> set[str]:
    names = set(companion.__all__)
    for mod in pkgutil.iter_modules(companion.__path__):
        if not mod.name.startswith("_") and mod.name != "bench":
            m = importlib.import_module(f"companion.{mod.name}")
            names |= {k for k, v in vars(m).items() if not k.startswith("_") and callable(v)
                      and getattr(v, "__module__", "") == m.__name__}
    return names


@pytest.mark.parametrize("path", ALL, ids=ids(ALL))
def test_pages_do_not_fork_companion_code(path):
    """One source per algorithm: a page shows companion code (show_source), never a copy."""
    public = companion_public_names()
    for n, cell in enumerate(code_cells(load(path))):
        tree = ast.parse(python_only(source(cell)))
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in public:
                pytest.fail(f"{path.relative_to(BOOK)}, code cell {n} redefines companion's {node.name}; "
                            f"import it and show it with show_source({node.name})")
