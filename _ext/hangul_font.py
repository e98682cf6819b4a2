r"""Hangul on any machine: a Korean web font, built with the book.

A reader whose machine has no Korean font (a fresh Linux, the CI machine) would see every
Hangul character as an empty box. So the book ships its own: when the HTML is written
(``build-finished``), this extension

1. collects every Hangul character (and CJK punctuation such as 「」) of the built
   pages and of the search index, plus the 2,350 common syllables and the 51 jamo of
   KS X 1001, so that what a reader types into the search box renders too;
2. cuts NanumGothic Regular and Bold (the font files the koreanize-matplotlib package
   ships; the figures use the same font) down to those characters with fontTools,
   without hinting, and writes them as WOFF2 (Brotli) to ``_static/fonts/``, renamed
   "Book Hangul" as the SIL Open Font License asks of a modified font, with the licence
   beside them (``_static/fonts/OFL.txt``);
3. writes ``_static/hangul.css``: the font stacks of the theme, followed by the reader's
   own Korean fonts (Apple SD Gothic Neo, Malgun Gothic, Noto Sans KR / CJK KR,
   NanumGothic) and then the bundled face. The face only covers Hangul and CJK
   punctuation (``unicode-range``), so Latin text and code keep their fonts; a reader's
   own Korean font, where there is one, comes first.

Every page preloads the two faces (``<link rel="preload">``). Without that, Chromium drew
some Hangul laid out before the face had arrived (a sidebar entry, a card title) in the
fallback box and never redrew it. Formulas with Hangul in ``\text{...}`` get the same
fonts: MathJax draws characters its own fonts lack in ``mtextFont``.

The subset is cached under ``_build/.hangul-font/``, keyed by the characters and the
source fonts, so a rebuild with the same text does not subset again.
"""
from __future__ import annotations

import hashlib
import importlib.util
import logging as std_logging
import re
import shutil
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

FAMILY = "Book Hangul"
FONT_PACKAGE = "koreanize_matplotlib"  # import name; never imported (it imports distutils)
FACES = {  # CSS weight: (source font in the package, file written to _static/fonts/, style)
    400: ("NanumGothic.ttf", "book-hangul-400.woff2", "Regular"),
    700: ("NanumGothicBold.ttf", "book-hangul-700.woff2", "Bold"),
}
LICENCE = Path(__file__).parent / "fonts" / "OFL.txt"
FONT_DIR = "fonts"  # under _static
CSS_FILE = "hangul.css"
BUDGET_BYTES = 1_000_000  # all font files together
SYSTEM_FONTS = ('"Apple SD Gothic Neo"', '"Malgun Gothic"', '"Noto Sans KR"', '"Noto Sans CJK KR"', "NanumGothic")
# Hangul, and the CJK punctuation and full-width forms that Korean text uses (「」) and
# Latin fonts lack. Nothing else: Latin text, digits and code keep their fonts.
UNICODE_RANGE = "U+1100-11FF, U+3000-303F, U+3130-318F, U+A960-A97F, U+AC00-D7A3, U+D7B0-D7FF, U+FF00-FFEF"
HANGUL = re.compile(r"[\u1100-\u11ff\u3000-\u303f\u3130-\u318f\ua960-\ua97f\uac00-\ud7a3\ud7b0-\ud7ff\uff00-\uffef]")
SUBSET_VERSION = "2"  # part of the cache key: change it when the subsetting below changes
FIX = "pip install -r requirements.txt (koreanize-matplotlib, fonttools, brotli)"


def ks_x_1001_hangul() -> set[str]:
    """The Hangul of KS X 1001: the 2,350 syllables (EUC-KR 0xB0A1-0xC8FE) and the 51
    compatibility jamo (0xA4A1-0xA4D3) that a Korean keyboard types.

    >>> chars = ks_x_1001_hangul()
    >>> len(chars), "합" in chars, "ㄱ" in chars, "똠" in chars
    (2401, True, True, False)
    """
    codes = [(0xA4, trail) for trail in range(0xA1, 0xD4)]
    codes += [(lead, trail) for lead in range(0xB0, 0xC9) for trail in range(0xA1, 0xFF)]
    return {bytes(code).decode("euc-kr") for code in codes}


def hangul_of_site(outdir: Path) -> set[str]:
    """Every Hangul character in the built pages and scripts (the search index, the
    Korean interface strings), MathJax's own files aside."""
    chars: set[str] = set()
    for path in list(outdir.rglob("*.html")) + list(outdir.rglob("*.js")):
        if "mathjax" not in path.relative_to(outdir).parts:
            chars.update(HANGUL.findall(path.read_text(encoding="utf-8", errors="ignore")))
    return chars


def source_font(filename: str) -> Path | None:
    spec = importlib.util.find_spec(FONT_PACKAGE)
    for folder in (spec.submodule_search_locations or []) if spec else []:
        if (Path(folder) / "fonts" / filename).is_file():
            return Path(folder) / "fonts" / filename
    return None


def subset_font(source: Path, chars: set[str], target: Path, style: str) -> None:
    """Write the glyphs of ``chars`` from ``source`` as a WOFF2 font named FAMILY."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff2"
    options.hinting = False  # screens do without, and it halves the size
    options.layout_features = []  # NanumGothic has no OpenType layout for Hangul
    options.drop_tables += ["TSI0", "TSI1", "TSI2", "TSI3", "TSI5", "kern"]  # VTT sources; legacy kerning
    options.name_IDs = [0]  # the copyright; the names are written below
    options.notdef_outline = True
    quiet = std_logging.getLogger("fontTools")
    level, quiet.level = quiet.level, std_logging.ERROR
    try:
        font = TTFont(source)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=sorted(ord(c) for c in chars))
        subsetter.subset(font)
    finally:
        quiet.level = level
    name = font["name"]
    postscript = FAMILY.replace(" ", "") + "-" + style
    for name_id, text in {
        1: FAMILY, 2: style, 3: f"{postscript};subset of NanumGothic 3.021", 4: f"{FAMILY} {style}",
        5: "Version 3.021", 6: postscript,
        10: "Hangul subset of NanumGothic (NAVER Corporation) for the CNN course book",
        13: "This Font Software is licensed under the SIL Open Font License, Version 1.1.",
        14: "https://openfontlicense.org",
    }.items():
        name.setName(text, name_id, 3, 1, 0x409)
    font.flavor = "woff2"
    target.parent.mkdir(parents=True, exist_ok=True)
    font.save(target)


def font_face(weight: int, filename: str) -> str:
    return (f"@font-face {{\n  font-family: \"{FAMILY}\";\n  font-style: normal;\n  font-weight: {weight};\n"
            f"  font-display: swap;\n  src: url(\"{FONT_DIR}/{filename}\") format(\"woff2\");\n"
            f"  unicode-range: {UNICODE_RANGE};\n}}\n")


def stylesheet() -> str:
    """The CSS: the faces, and the theme's font stacks with the Korean fonts after them.

    >>> css = stylesheet()
    >>> "unicode-range: U+1100-11FF" in css and '"Malgun Gothic"' in css
    True
    """
    korean = korean_stack()
    faces = "".join(font_face(weight, filename) for weight, (_, filename, _) in FACES.items())
    return (
        "/* Hangul on any machine (written by _ext/hangul_font.py). After the theme's fonts, which\n"
        "   have no Hangul on most machines: the reader's own Korean fonts, then the book's. */\n"
        + faces +
        "html:root {\n"
        f"  --pst-font-family-base: var(--pst-font-family-base-system), {korean};\n"
        f"  --pst-font-family-heading: var(--pst-font-family-base-system), {korean};\n"
        f"  --pst-font-family-monospace: var(--pst-font-family-monospace-system), {korean};\n"
        "  --bs-font-sans-serif: var(--pst-font-family-base);\n"
        "  --bs-font-monospace: var(--pst-font-family-monospace);\n"
        "}\n"
    )


def cache_key(chars: set[str], sources: list[Path]) -> str:
    digest = hashlib.sha256(SUBSET_VERSION.encode())
    digest.update("".join(sorted(chars)).encode())
    for source in sources:
        digest.update(source.read_bytes())
    return digest.hexdigest()[:20]


def build_font(app: Sphinx, exc: Exception | None) -> None:
    if exc is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    sources = [source_font(source) for source, _, _ in FACES.values()]
    missing = ([f"NanumGothic in {FONT_PACKAGE}"] if None in sources else []) + \
              [f"the {name} package" for name in ("fontTools", "brotli") if importlib.util.find_spec(name) is None]
    if missing:
        logger.warning(f"Hangul web font not built: no {', no '.join(missing)}; Korean pages will show "
                       f"boxes on machines without a Korean font. Fix: {FIX}")
        return
    chars = hangul_of_site(outdir) | ks_x_1001_hangul()
    cache = outdir.parent / ".hangul-font" / cache_key(chars, sources)
    for stale in cache.parent.glob("*") if cache.parent.is_dir() else []:
        if stale != cache:
            shutil.rmtree(stale, ignore_errors=True)  # our own earlier subsets only
    target = outdir / "_static" / FONT_DIR
    target.mkdir(parents=True, exist_ok=True)
    todo = [(source, chars, cache / filename, style)
            for source, (_, filename, style) in zip(sources, FACES.values()) if not (cache / filename).is_file()]
    if len(todo) > 1:  # the two faces side by side: about 3 s of a fresh build instead of 5.5
        with ProcessPoolExecutor(max_workers=len(todo)) as pool:
            list(pool.map(subset_font, *zip(*todo)))
    else:
        for job in todo:
            subset_font(*job)
    for _, filename, _ in FACES.values():
        shutil.copyfile(cache / filename, target / filename)
    shutil.copyfile(LICENCE, target / "OFL.txt")
    (outdir / "_static" / CSS_FILE).write_text(stylesheet(), encoding="utf-8")
    size = sum((target / filename).stat().st_size for _, filename, _ in FACES.values())
    logger.info(f"Hangul web font: {len(chars)} characters, {size / 1024:.0f} KB in _static/{FONT_DIR}/")
    if size > BUDGET_BYTES:
        logger.warning(f"Hangul web font: {size / 1024:.0f} KB, over the budget of {BUDGET_BYTES / 1024:.0f} KB")


def korean_stack(first: str = "") -> str:
    """The font-family list for Hangul, after ``first`` (the fonts for everything else)."""
    return ", ".join(((first,) if first else ()) + SYSTEM_FONTS + (f'"{FAMILY}"',))


def preload(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    links = "".join(
        f'<link rel="preload" href="{context["pathto"](f"_static/{FONT_DIR}/{filename}", 1)}" as="font" '
        f'type="font/woff2" crossorigin>\n' for _, filename, _ in FACES.values())
    context["metatags"] = context.get("metatags", "") + links


def mathjax_text_font(app: Sphinx) -> None:
    """MathJax (SVG output) draws characters that its own fonts lack, such as the Hangul of
    ``\\text{출력 높이}``, with ``mtextFont``: serif for the rest, then the Korean fonts."""
    config = dict(app.config.mathjax3_config or {})
    config["svg"] = {**config.get("svg", {}), "mtextFont": korean_stack("serif")}
    app.config.mathjax3_config = config


def setup(app: Sphinx) -> dict:
    app.add_css_file(CSS_FILE)
    app.connect("builder-inited", mathjax_text_font)
    app.connect("html-page-context", preload)
    app.connect("build-finished", build_font)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
