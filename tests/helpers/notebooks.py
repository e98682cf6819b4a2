"""Helpers shared by the notebook tests: find the pages, read their code cells."""
from __future__ import annotations

import ast
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "book"
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def notebooks() -> list[Path]:
    return sorted(p for p in BOOK.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def code_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def source(cell: dict) -> str:
    src = cell["source"]
    return src if isinstance(src, str) else "".join(src)


def python_only(src: str) -> str:
    """Drop IPython magics and shell escapes so the rest parses as Python."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in src.splitlines())


def string_literals(src: str) -> list[str]:
    return [n.value for n in ast.walk(ast.parse(python_only(src)))
            if isinstance(n, ast.Constant) and isinstance(n.value, str)]
