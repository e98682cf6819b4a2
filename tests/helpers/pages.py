"""The book's pages read as text: cells, prose, headings, labels, figures, glossary links.

Shared by tests/test_twins.py, tests/test_terms.py and tests/test_d2l_exercises.py. A page is
book/<edition>/<name>.ipynb (a list of cells) or book/<edition>/<name>.md (one markdown cell).
Cell numbers are 0-based indices into the notebook's ``cells`` list, as in the issues.
"""
from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "book"
EDITIONS = ("ko", "en")
OTHER = {"ko": "en", "en": "ko"}
HANGUL = re.compile(r"[\uac00-\ud7a3]")


@dataclass(frozen=True)
class Cell:
    index: int
    kind: str  # "markdown" or "code"
    source: str
    metadata: dict = field(default_factory=dict, compare=False)
    outputs: tuple = field(default=(), compare=False)


def page_paths(edition: str) -> list[Path]:
    return sorted(p for p in (BOOK / edition).glob("*") if p.suffix in (".ipynb", ".md"))


def twin_names() -> list[str]:
    """Page file names present in both editions (a page without a twin is test_book's business)."""
    ko = {p.name for p in page_paths("ko")}
    return sorted(ko & {p.name for p in page_paths("en")})


def _text(src) -> str:
    return src if isinstance(src, str) else "".join(src)


def cells(path: Path) -> list[Cell]:
    if path.suffix == ".md":
        return [Cell(0, "markdown", path.read_text(encoding="utf-8"))]
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [Cell(i, c["cell_type"], _text(c["source"]), c.get("metadata", {}), tuple(c.get("outputs", [])))
            for i, c in enumerate(nb["cells"])]


def where(path: Path, cell: Cell) -> str:
    """`ko/03_conv_layer.ipynb cell 16` (or `ko/index.md`): how failures name a place."""
    name = f"{path.parent.name}/{path.name}"
    return name if path.suffix == ".md" else f"{name} cell {cell.index}"


# --- markdown ----------------------------------------------------------------------------

FENCE = re.compile(r"^(`{3,}|~{3,})\s*(\{(?P<directive>[\w:-]+)\})?\s*(?P<arg>.*)$")


def split_fences(markdown: str) -> list[tuple[str | None, str | None, str]]:
    """The markdown as (kind, directive, text) blocks: kind None for plain markdown,
    "directive" for a MyST directive such as ```{exercise}, "code" for a code fence.
    Nested fences of the same length are not expected in this book."""
    blocks, kind, directive, buf, fence = [], None, None, [], None
    for line in markdown.splitlines():
        m = FENCE.match(line.strip()) if kind is None else None
        if kind is None and m:
            blocks.append((None, None, "\n".join(buf)))
            fence, directive = m.group(1), m.group("directive")
            kind = "directive" if directive else "code"
            buf = [m.group("arg")] if directive and m.group("arg") else []
        elif kind is not None and line.strip().startswith(fence) and line.strip().strip(fence[0]) == "":
            blocks.append((kind, directive, "\n".join(buf)))
            kind, directive, buf = None, None, []
        else:
            buf.append(line)
    blocks.append((kind, directive, "\n".join(buf)))
    return [b for b in blocks if b[2].strip() or b[0]]


def headings(markdown: str) -> list[tuple[int, str]]:
    """(level, text) of the ATX headings outside fences; a ```{rubric} counts as level 0."""
    out = []
    for kind, directive, text in split_fences(markdown):
        if kind is None:
            out += [(len(m[1]), m[2].strip()) for m in re.finditer(r"(?m)^(#{1,6})\s+(.+?)\s*#*\s*$", text)]
        elif directive == "rubric":
            out.append((0, text.strip()))
    return out


DIRECTIVE_OPTION = re.compile(r"(?m)^:[\w-]+:.*$")
ROLE = re.compile(r"\{(?P<role>[\w:-]+)\}`(?P<body>[^`]*)`")
TERM_BODY = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.S)


def term_target(body: str) -> str:
    m = TERM_BODY.match(body)
    return (m["target"] if m else body).strip()


def term_text(body: str) -> str:
    m = TERM_BODY.match(body)
    return (m["text"] if m else body).strip()


def _role_as_text(m: re.Match) -> str:
    role, body = m["role"], m["body"]
    if role == "term":
        return term_text(body)
    if role in ("ref", "numref", "doc"):
        return term_text(body) if "<" in body else ""
    return ""  # cite, eval, …


def prose(markdown: str) -> str:
    """What a reader reads as text: no code fences, no math, no inline code, no directive
    options, no MyST comments or targets, roles replaced by the words they show."""
    parts = []
    for kind, directive, text in split_fences(markdown):
        if kind == "code" or directive in ("code-cell", "code-block", "code", "math", "eval-rst"):
            continue
        parts.append(DIRECTIVE_OPTION.sub("", text) if kind else text)
    text = "\n".join(parts)
    text = re.sub(r"(?m)^%.*$", "", text)  # MyST comments
    text = re.sub(r"(?m)^\([^)\s]+\)=\s*$", "", text)  # MyST targets
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.S)
    text = re.sub(r"\$\s*(\w+)\s*\\times\s*(\w+)\s*\$", r"\1×\2", text)  # $3 \times 3$ reads 3×3
    text = re.sub(r"\\begin\{(\w+\*?)\}.*?\\end\{\1\}", " ", text, flags=re.S)
    text = ROLE.sub(_role_as_text, text)
    text = re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", " ", text, flags=re.S)  # inline code
    text = re.sub(r"(?<![\\$])\$(?!\$)[^$\n]*?(?<!\\)\$", " ", text)  # inline math
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links and images: their words
    return text


def code_prose(source: str) -> str:
    """The human text of a code cell: its comments and string literals."""
    lines = [ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
    out = [m[1] for m in re.finditer(r"#(.*)$", "\n".join(lines), flags=re.M)]
    try:
        tree = ast.parse("\n".join(lines))
        out += [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    except SyntaxError:
        pass
    return "\n".join(out)


# --- labels, figures, links --------------------------------------------------------------

TARGET = re.compile(r"(?m)^\((?P<label>[^)\s]+)\)=\s*$")
OPTION_LABEL = re.compile(r"(?m)^:(?:label|name):\s*(?P<label>\S+)\s*$")


def exercises(markdown: str) -> list[str]:
    """The labels of the ```{exercise} directives, in order."""
    out = []
    for kind, directive, text in split_fences(markdown):
        if directive == "exercise":
            m = OPTION_LABEL.search(text)
            out.append(m["label"] if m else "")
    return out


def solutions(markdown: str) -> list[str]:
    """The exercise each ```{solution-start} (or ```{solution}) belongs to, in order."""
    return [text.splitlines()[0].strip() if text.strip() else ""
            for kind, directive, text in split_fences(markdown) if directive in ("solution-start", "solution")]


def figure_count(cell: Cell) -> int:
    """Figures a cell shows: image outputs of a code cell, {figure}/image syntax in markdown."""
    if cell.kind == "code":
        return sum(1 for out in cell.outputs
                   if {"image/png", "image/svg+xml", "image/jpeg"} & set(out.get("data", {})))
    fig = sum(1 for _, directive, _ in split_fences(cell.source) if directive in ("figure", "image"))
    return fig + len(re.findall(r"!\[[^\]]*\]\([^)]*\)", cell.source))


def figure_name(cell: Cell) -> str | None:
    return ((cell.metadata.get("mystnb") or {}).get("figure") or {}).get("name")


def labels(cell: Cell) -> list[str]:
    """Every label a cell defines: MyST targets, directive :label:/:name:, figure names."""
    out = []
    if cell.kind == "markdown":
        out += [m["label"] for m in TARGET.finditer(cell.source)]
        for kind, directive, text in split_fences(cell.source):
            if kind == "directive":
                out += [m["label"] for m in OPTION_LABEL.finditer(text)]
    elif figure_name(cell):
        out.append(figure_name(cell))
    return out


def edition_labels(edition: str) -> dict[str, str]:
    """label -> where it is defined, over every page of an edition."""
    found = {}
    for path in page_paths(edition):
        for cell in cells(path):
            for label in labels(cell):
                found[label] = where(path, cell)
    return found


def roles(markdown: str, name: str) -> list[str]:
    """The bodies of every {name}`…` role outside code fences."""
    out = []
    for kind, _, text in split_fences(markdown):
        if kind != "code":
            out += [m["body"] for m in ROLE.finditer(re.sub(r"(?m)^%.*$", "", text)) if m["role"] == name]
    return out


def citations(markdown: str) -> list[str]:
    keys = []
    for kind, _, text in split_fences(markdown):
        if kind == "code":
            continue
        for m in ROLE.finditer(re.sub(r"(?m)^%.*$", "", text)):
            if m["role"].startswith("cite"):
                keys += [k.strip() for k in m["body"].split(",")]
    return keys


# --- glossary ----------------------------------------------------------------------------

def glossary(edition: str) -> list[list[str]]:
    """The terms of each entry of book/<edition>/glossary.md, in file order."""
    text = (BOOK / edition / "glossary.md").read_text(encoding="utf-8")
    body = text.split("```{glossary}", 1)[1].split("\n```", 1)[0]
    entries, terms = [], []
    for line in body.splitlines():
        if not line.strip() or line.startswith(":"):
            continue
        if line.startswith(" "):
            if terms:
                entries.append(terms)
            terms = []
        else:
            terms.append(line.strip())
    return entries


KO_TERM = re.compile(r"^(?P<ko>.*\S)\((?P<en>[^()]+)\)$")


def korean_part(term: str) -> str:
    m = KO_TERM.match(term)
    return m["ko"] if m else term
