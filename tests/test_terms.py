"""One Korean term per concept, one English spelling, one register; glossaries that match the pages.

Korean pages: no variant from KO_VARIANTS, in the text, the code's comments and strings, or a
cell's captions and alt text (each message names the preferred term; the Korean glossary alone
may list them, after "다른 이름:"); the summary heading is "요약"; 합니다체 only (no 해요체, no
해라체 -다.); questions end in -ㄹ까요? (not -ㅂ니까?/-나요?/-는가?/-인가?); a space between a
number and its unit (4 GB);
no space between bold text and a particle. English pages:
American spelling (EN_SPELLING), sentence-case headings. Every page introduces "FC" before
using it. Glossaries: every {term} link resolves in its edition's glossary, every entry is
used by a page of its edition, and Korean headwords are the words the Korean pages use.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers.pages import (ROOT, Cell, cells, code_prose, glossary, headings, korean_part, page_paths,
                   prose, roles, term_target, where)

KO_PAGES = page_paths("ko")
EN_PAGES = page_paths("en")


def ids(paths: list[Path]) -> list[str]:
    return [f"{p.parent.name}/{p.name}" for p in paths]


def reader_text(cell: Cell) -> str:
    """What a reader of the page reads in this cell: the prose of a markdown cell, the comments
    and string literals (labels, titles, printed words) of a code cell."""
    return prose(cell.source) if cell.kind == "markdown" else code_prose(cell.source)


def findings(path: Path, pattern: re.Pattern, text_of=reader_text) -> list[str]:
    out = []
    for cell in cells(path):
        text = text_of(cell)
        for m in pattern.finditer(text):
            start = max(0, m.start() - 25)
            context = text[start:m.end() + 25].replace("\n", " ")
            out.append(f"{where(path, cell)}: {m.group(0)!r} in …{context}…")
    return out


# --- Korean: one term per concept ----------------------------------------------------------

# (variant, preferred): the variant must not appear on Korean pages.
KO_VARIANTS = [
    (r"번역\s*불변", "평행 이동 불변성(translation invariance)"),
    (r"(?<!평행 )(?<!평행)이동\s*불변성", "평행 이동 불변성(translation invariance)"),
    (r"병진\s*불변", "평행 이동 불변성(translation invariance)"),
    (r"피[처쳐]\s*맵|특징\s*맵|특성맵", "특성 맵(feature map)"),
    (r"특징", "특성(feature): the glossary's word for feature"),
    (r"보폭", "스트라이드(stride); for a step size write 이동 폭"),
    (r"에지", "경계(edge): one Korean term for edge"),
    (r"경계선", "경계(edge): one Korean term for edge"),
    (r"모서리\s*방향|모서리\s*검출|채널은\s*모서리", "경계(edge); 모서리 means corner only"),
    (r"컨볼루션|콘볼루션|컨벌루션|회선", "합성곱(convolution)"),
    (r"교차\s*상관|상호상관", "상호 상관(cross-correlation)"),
    (r"커넬", "커널(kernel)"),
    (r"수용\s*필드|수용장|수용영역", "수용 영역(receptive field)"),
    (r"국소성|국부성", "지역성(locality)"),
    (r"완전연결|전결합|완전 연결 레이어", "완전 연결 층(fully connected layer)"),
    (r"다층퍼셉트론|멀티\s*레이어\s*퍼셉트론", "다층 퍼셉트론(MLP)"),
    (r"레이어", "층(layer)"),
    (r"평탄화", "펼치기(flatten): the pages' word"),
    (r"렐루", "ReLU: the pages write ReLU"),
    (r"르넷", "LeNet: the pages write LeNet"),
    (r"자비에", "Xavier: the pages write Xavier"),
    (r"패션\s*MNIST", "Fashion-MNIST: the pages write Fashion-MNIST"),
    # one voice (issue 16): one word per concept across the pages
    (r"표본", "샘플: an audio sample is 샘플"),
    (r"학습\s*데이터", "훈련 데이터"),
    (r"활성화\s*값", "활성값"),
    (r"회색조", "흑백"),
    (r"(?<![가-힣])색인", "인덱스"),
    (r"네트워크", "신경망 (for a computer network: 인터넷)"),
    (r"인자", "인수(argument)"),
    (r"로그\s*축", "로그 눈금 (a log scale)"),
    (r"경계\s*칸|경계\s*반복", "가장자리 (an image border); 경계 means an edge only"),
    (r"의 활성화(?!\s*함수)", "활성값 (activation values); 활성화 함수 stays"),
    # 필터 is a signal-processing filter only (저역 통과 필터, 평균 필터, 약한 필터, "이런 필터" after one);
    # a convolution kernel is 커널 (the glossary lists 필터 under 다른 이름)
    (r"(?<!통과 )(?<!평균 )(?<!약한 )(?<!이런 )필터", "커널(kernel); 필터 only for a signal-processing filter (저역 통과 필터)"),
]
KO_VARIANT = re.compile("|".join(f"(?P<v{i}>{v})" for i, (v, _) in enumerate(KO_VARIANTS)))


# The Korean glossary lists the names students meet elsewhere, at the end of an entry:
# "다른 이름: 컨볼루션." Only there may a variant appear.
OTHER_NAMES = re.compile(r"다른 이름: [^.\n]*\.")


def metadata_strings(value) -> list[str]:
    """Every string in a cell's metadata, at any depth: figure captions and alt text
    (metadata.mystnb.figure.caption, metadata.mystnb.image.alt) are read on the page too."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in metadata_strings(v)]
    return []


def ko_raw_text(cell: Cell) -> str:
    """Korean variants are looked for in everything a Korean page holds, {term} targets
    included (a link to an old headword is as wrong as the word), except MyST comments;
    the strings of the cell's metadata (captions, alt text) included."""
    text = re.sub(r"(?m)^%.*$", "", cell.source) if cell.kind == "markdown" else code_prose(cell.source)
    return "\n".join([text, *metadata_strings(cell.metadata)])


@pytest.mark.parametrize("path", KO_PAGES, ids=ids(KO_PAGES))
def test_korean_pages_use_one_term_per_concept(path):
    found = []
    for cell in cells(path):
        text = ko_raw_text(cell)
        if path.name == "glossary.md":
            text = OTHER_NAMES.sub("", text)
        for m in KO_VARIANT.finditer(text):
            preferred = KO_VARIANTS[int(m.lastgroup[1:])][1]
            context = text[max(0, m.start() - 20):m.end() + 20].replace("\n", " ")
            found.append(f"{where(path, cell)}: {m.group(0)!r} → {preferred}   (…{context}…)")
    assert not found, "Korean term variants:\n" + "\n".join(found)


def test_companion_korean_words_use_one_term_per_concept():
    """The Korean words companion/ draws into a Korean page (animation frame labels, chart
    titles) follow the same table: the page shows them, though no page's source holds them."""
    found = []
    for path in sorted((ROOT / "companion").glob("*.py")):
        for m in KO_VARIANT.finditer(code_prose(path.read_text(encoding="utf-8"))):
            preferred = KO_VARIANTS[int(m.lastgroup[1:])][1]
            found.append(f"companion/{path.name}: {m.group(0)!r} → {preferred}")
    assert not found, "Korean term variants in companion/:\n" + "\n".join(found)


def test_variant_table_catches_what_it_should():
    for bad in ("번역 불변성", "피처 맵", "이동 불변성", "보폭", "에지 검출", "세로 경계선", "모서리 방향", "특징",
                "음성 표본", "학습 데이터", "활성화 값", "회색조 이미지", "색인", "합성곱 네트워크", "인자 이름",
                "β는 로그 축", "경계 칸을 되풀이합니다", "경계 반복", "첫째·둘째 층의 활성화.", "넣을 때의 활성화.",
                "여기의 무작위 필터와", "각 필터가", "같은 필터를", "커널 또는 필터(filter)", "필터 수"):
        assert KO_VARIANT.search(bad), bad
    for good in ("평행 이동 불변성", "특성 맵", "스트라이드", "세로 경계", "왼쪽 위 모서리", "특성",
                 "음성 샘플", "훈련 데이터", "활성값", "활성화 함수", "흑백 이미지", "흰색인 자리", "인덱스",
                 "합성곱 신경망", "인수 이름",
                 "로그 눈금", "가장자리 칸을 되풀이합니다", "가장자리 반복", "세로 경계를", "층의 활성값.", "활성화 함수를",
                 "합성곱 → 활성화 → 풀링", "시그모이드 활성화를", "(활성화 뒤)", "저역 통과 필터", "고역 통과 필터",
                 "3×3 평균 필터로", "약한 필터라", "이런 필터 없이", "(영어로는 filter라고도 합니다)"):
        assert not KO_VARIANT.search(good), good
    assert not KO_VARIANT.search(OTHER_NAMES.sub("", "이동 폭입니다. 다른 이름: 컨볼루션, 보폭."))
    assert KO_VARIANT.search(OTHER_NAMES.sub("", "다른 이름: 컨볼루션. 보폭을 바꿉니다."))
    assert not KO_VARIANT.search(OTHER_NAMES.sub("", "다른 이름: 필터(filter)."))


def test_korean_variants_are_read_in_cell_metadata():
    cell = Cell(0, "code", "plt.show()", {"mystnb": {"figure": {"caption": "값(β는 로그 축)", "name": "ko-fig"},
                                                     "image": {"alt": "경계 반복"}}, "tags": ["hide-input"]})
    text = ko_raw_text(cell)
    assert "β는 로그 축" in text and "경계 반복" in text and "hide-input" in text
    assert [m.group(0) for m in KO_VARIANT.finditer(text)] == ["로그 축", "경계 반복"]


# --- Korean: headings, register, bold ------------------------------------------------------

KO_SUMMARY, EN_SUMMARY = "요약", "Summary"


@pytest.mark.parametrize("path", [p for p in KO_PAGES + EN_PAGES if p.suffix == ".ipynb"],
                         ids=ids([p for p in KO_PAGES + EN_PAGES if p.suffix == ".ipynb"]))
def test_summary_heading_is_one_word(path):
    """The last ## heading before the exercises is "요약" (ko) / "Summary" (en), on every page."""
    wanted = KO_SUMMARY if path.parent.name == "ko" else EN_SUMMARY
    hs = [(c.index, level, text) for c in cells(path) if c.kind == "markdown" for level, text in headings(c.source)]
    wrong = [f"cell {i}: ## {t}" for i, level, t in hs if level == 2 and t in ("정리", "요약 정리", "Recap", "Conclusion")]
    assert not wrong, f"{path.parent.name}/{path.name}: the summary heading must read '## {wanted}': {wrong}"
    exercise = next((k for k, (_, level, t) in enumerate(hs) if level == 2 and t in ("연습 문제", "Exercises")), None)
    assert exercise, f"{path.name}: no '## 연습 문제' / '## Exercises' heading"
    before = [h for h in hs[:exercise] if h[1] == 2]
    assert before and before[-1][2] == wanted, (
        f"{path.parent.name}/{path.name} cell {before[-1][0] if before else '?'}: the heading before the exercises "
        f"is {before[-1][2] if before else None!r}; write '## {wanted}'")


# 해요체 endings. Allowed on purpose, as in Korean textbooks: the polite imperative of exercise
# instructions (-세요.) and questions (-까요? -나요? -가요?). 필요/중요/주요/개요 are nouns.
HAEYO = re.compile(r"(?<=[가-힣])죠(?=[\s.,!?)…]|$)"
                   r"|(?:이에요|예요|에요)(?=[\s.,!?)…]|$)"
                   r"|(?<=[가-힣])(?<![세필중주개])요(?=[.!…])"
                   r"|(?<=[가-힣])(?<![까나가필중주개])요(?=\?)", re.M)


def korean_sentences(cell: Cell) -> str:
    if cell.kind == "markdown":
        return prose(cell.source)
    return "\n".join(m[1] for m in re.finditer(r"#(.*)$", cell.source, flags=re.M))  # comments


# Questions end in -ㄹ까요? (어떻게 될까요?), not in -ㅂ니까? (무엇입니까?), -나요? (바뀌나요?)
# or the written-style -는가?/-인가?/-은가? (있는가?, 복사본인가?, 같은가?).
KO_QUESTION = re.compile(r"(?<=[가-힣])(?:니까|나요|[는인은]가)\?")

# 해라체 sentence endings (작다, 만든다, 섞는다.): a word ending in 다 at the end of a line or
# before ". ", other than -ㅂ니다/-습니다, the 청유형 -시다 (봅시다), and the particles 마다/보다.
HAERA = re.compile(r"(?<=[가-힣])(?<![니마시보])다(?=\.(?:\s|$)|[\s\"'”)]*$)", re.M)

# Units are set off by a space: "4 GB", "61,706 KB" (not "4GB").
KO_UNIT = re.compile(r"(?<=\d)[KMGT]i?B(?![A-Za-z])")

# Rules of the Korean pages that one regular expression checks: what the page must do →
# (the pattern of a breach, the text it reads, breaches it must catch, sentences it must pass).
KO_RULES = {
    "합니다체 throughout: no 해요체 endings (-요. -죠 -예요) in prose or code comments": (
        HAEYO, korean_sentences,
        ("두 픽셀 옮겨 가도 바뀌면 안 되니까요.", "담는 것이죠.", "이것은 커널이에요.", "그렇죠?", "커널이라면요?"),
        ("확인하세요.", "어떻게 될까요?", "몇 번 쓰이나요?", "무엇인가요?", "필요.", "계산합니다.", "요약")),
    "합니다체 throughout: no 해라체 endings (-다.) in prose, code comments or strings": (
        HAERA, reader_text,
        ("# 창이 클수록 변화가 작다", "width칸으로 만든다.", "픽셀을 먼저 섞는다.\n", "합성곱이다. 그리고"),
        ("# 창이 클수록 변화가 작습니다", "확인해 봅시다.", "라고 합시다.", "위치마다", "0.003보다\n앞섭니다",
         "크게 다름", "계산합니다.")),
    "questions end in -ㄹ까요?, not -ㅂ니까?/-나요?/-는가?/-인가?": (
        KO_QUESTION, korean_sentences,
        ("몇 번 쓰이나요?", "무엇입니까?", "같습니까?", "고양이가 있는가?", "얼마나 있는가?\"를",
         "복사본인가?", "한쪽 값인가, 합계인가?", "같은가?"),
        ("어떻게 될까요?", "몇 번 쓰일까요?", "무엇일까요?", "고양이가 있을까요?", "복사본일까요?",
         "한쪽 값일까요, 합계일까요?", "무엇인가요?", "어떤 입력을 보는가")),
    'units set off by a space ("4 GB", not "4GB")': (
        KO_UNIT, reader_text, ("4GB", "2.5MiB"), ("4 GB", "GB 단위")),
}


@pytest.mark.parametrize("rule", KO_RULES)
@pytest.mark.parametrize("path", KO_PAGES, ids=ids(KO_PAGES))
def test_korean_pages_follow_the_rule(path, rule):
    pattern, text_of, _, _ = KO_RULES[rule]
    found = findings(path, pattern, text_of)
    assert not found, f"{rule}:\n" + "\n".join(found)


@pytest.mark.parametrize("rule", KO_RULES)
def test_korean_rule_catches_what_it_should(rule):
    pattern, _, bad, good = KO_RULES[rule]
    assert all(pattern.search(text) for text in bad), [t for t in bad if not pattern.search(t)]
    assert not any(pattern.search(text) for text in good), [t for t in good if pattern.search(t)]


PARTICLES = {"이", "가", "을", "를", "은", "는", "과", "와", "의", "에", "에서", "에는", "에서는", "으로", "로",
             "으로는", "로는", "으로서", "로서", "도", "만", "만큼", "처럼", "보다", "까지", "부터", "이라고", "라고",
             "이라고도", "라고도", "이라는", "라는", "이라서", "라서", "이란", "란", "이라", "라", "이며", "며",
             "이고", "이다", "입니다", "이나", "이든", "이면", "인", "이므로", "와는", "과는", "이자", "께서"}
BOLD_SPACE = re.compile(r"(?<=\S)\*\*[ \t]+(?P<word>[가-힣]+)")


@pytest.mark.parametrize("path", KO_PAGES, ids=ids(KO_PAGES))
def test_no_space_between_bold_text_and_its_particle(path):
    """`**수용 영역(receptive field)** 이라고` shows the space on the page: write
    `**수용 영역**(receptive field)이라고` (or move the bold)."""
    found = []
    for cell in cells(path):
        if cell.kind != "markdown":
            continue
        for m in BOLD_SPACE.finditer(cell.source):
            if m["word"] in PARTICLES:
                context = cell.source[max(0, m.start() - 30):m.end() + 5].replace("\n", " ")
                found.append(f"{where(path, cell)}: …{context}…")
    assert not found, "a space between bold text and its particle:\n" + "\n".join(found)


def unrendered_bold(markdown: str) -> list[str]:
    """Text in which `**` survives rendering: a bold that never closed. CommonMark closes `**`
    only if it is not preceded by punctuation or is followed by a space or punctuation, so
    `**수용 영역(receptive field)**이라고` and `**{term}`…`**과` show their asterisks."""
    from markdown_it import MarkdownIt

    from tests.helpers.pages import split_fences
    md = MarkdownIt("commonmark")
    text = "\n".join(t for kind, _, t in split_fences(markdown) if kind != "code")
    text = re.sub(r"\$\$.*?\$\$|\$[^$\n]*\$", "x", text, flags=re.S)  # math is one token, as in MyST
    out = []
    for token in md.parse(text):
        for child in token.children or []:
            if child.type == "text" and "**" in child.content:
                out.append(child.content.strip())
    return out


@pytest.mark.parametrize("path", KO_PAGES + EN_PAGES, ids=ids(KO_PAGES + EN_PAGES))
def test_bold_text_renders_bold(path):
    found = [f"{where(path, c)}: …{t[:70]}…" for c in cells(path) if c.kind == "markdown"
             for t in unrendered_bold(c.source)]
    assert not found, ("bold that does not render (the ** show on the page; "
                       "write **수용 영역**(receptive field)이라고, or drop the bold around a link):\n" + "\n".join(found))


def test_unrendered_bold_check():
    assert unrendered_bold("**수용 영역(receptive field)**이라고") and unrendered_bold("**{term}`a(b)`**과")
    assert not unrendered_bold("**수용 영역**(receptive field)이라고") and not unrendered_bold("**a** b `**`")


def test_bold_check_sees_particles_only():
    def bad(s):
        return any(m["word"] in PARTICLES for m in BOLD_SPACE.finditer(s))
    assert bad("**수용 영역(receptive field)** 이라고 합니다") and bad("**원소** 라고")
    assert not bad("**커널** 텐서가") and not bad("**수용 영역**(receptive field)이라고")


# --- English: spelling and headings ---------------------------------------------------------

# (British, American) as in D2L. Matched case-insensitively at the start of a word.
EN_SPELLING = [
    (r"initialis", "initializ"), (r"optimis", "optimiz"), (r"normalis", "normaliz"), (r"regularis", "regulariz"),
    (r"generalis", "generaliz"), (r"parallelis", "paralleliz"), (r"visualis", "visualiz"), (r"summaris", "summariz"),
    (r"recognis", "recogniz"), (r"organis", "organiz"), (r"minimis", "minimiz"), (r"maximis", "maximiz"),
    (r"vectoris", "vectoriz"), (r"standardis", "standardiz"), (r"characteris", "characteriz"),
    (r"realis(?=e|ed|es|ing)", "realiz"), (r"modernis", "moderniz"), (r"analys(?=e\b|ed\b|es\b|ing\b)", "analyz"),
    (r"colour", "color"), (r"behaviour", "behavior"), (r"neighbour", "neighbor"), (r"labour", "labor"),
    (r"favour", "favor"), (r"flavour", "flavor"), (r"honour", "honor"), (r"rumour", "rumor"),
    (r"grey", "gray"), (r"centre", "center"), (r"metre", "meter"), (r"fibre", "fiber"),
    (r"mini-batch", "minibatch"), (r"cheque", "check"), (r"programme", "program"), (r"catalogue", "catalog"),
    (r"judgement", "judgment"), (r"modelling", "modeling"), (r"modelled", "modeled"), (r"labelled", "labeled"),
    (r"labelling", "labeling"), (r"travell", "travel"), (r"signalling", "signaling"), (r"cancell(?=ed|ing)", "cancel"),
    (r"whilst", "while"), (r"amongst", "among"), (r"defence", "defense"), (r"licence", "license"),
]
EN_BRITISH = re.compile(r"(?i)\b(?:" + "|".join(f"(?P<s{i}>{b})" for i, (b, _) in enumerate(EN_SPELLING)) + r")")


@pytest.mark.parametrize("path", EN_PAGES, ids=ids(EN_PAGES))
def test_english_pages_use_american_spelling(path):
    found = []
    for cell in cells(path):
        text = reader_text(cell) if path.suffix == ".ipynb" else prose(cell.source)
        for m in EN_BRITISH.finditer(text):
            british, american = EN_SPELLING[int(m.lastgroup[1:])]
            word = re.match(r"[\w-]+", text[m.start():])[0]
            found.append(f"{where(path, cell)}: {word!r} → {american}…")
    assert not found, "British spellings (write American, as D2L does):\n" + "\n".join(found)


def test_spelling_table_catches_what_it_should():
    for bad in ("initialise", "optimiser", "greyscale", "colour", "behaviour", "neighbouring", "mini-batches", "centred"):
        assert EN_BRITISH.search(bad), bad
    for good in ("initialize", "optimizer", "grayscale", "color", "minibatch", "analysis", "emphasis", "centered"):
        assert not EN_BRITISH.search(good), good


# Words that keep a capital inside a sentence-case heading (names); acronyms and CamelCase
# (LeNet, ReLU, PyTorch, MNIST) are recognized by their second capital.
PROPER_NOUNS = {"Xavier", "Adam", "Kaiming", "He", "Hessian", "Gaussian", "Fourier", "Winograd", "English",
                "Korean", "Python", "Jupyter", "Yann", "Bell", "Labs", "I"}


def title_case_words(heading: str) -> list[str]:
    text = re.sub(r"`[^`]*`|\$[^$]*\$", " ", heading)
    words = re.findall(r"[A-Za-z][\w'’-]*", text)
    out = []
    for word in words[1:]:
        parts = word.split("-")
        for part in parts:
            if part[:1].isupper() and part not in PROPER_NOUNS and sum(ch.isupper() for ch in part) < 2:
                out.append(word)
                break
    return out


@pytest.mark.parametrize("path", EN_PAGES, ids=ids(EN_PAGES))
def test_english_headings_are_sentence_case(path):
    found = [f"{where(path, c)}: {'#' * level} {text}  (capitalized: {title_case_words(text)})"
             for c in cells(path) if c.kind == "markdown"
             for level, text in headings(c.source) if 1 <= level <= 4 and title_case_words(text)]
    assert not found, "Title Case headings (write sentence case):\n" + "\n".join(found)


def test_sentence_case_check():
    assert title_case_words("Convolutions for Images") == ["Images"]
    assert title_case_words("The Cross-Correlation Operation") == ["Cross-Correlation", "Operation"]
    assert title_case_words("A modern LeNet with ReLU in PyTorch") == []
    assert title_case_words("Without a loop: `unfold`") == [] and title_case_words("Xavier initialization") == []


# --- abbreviations ----------------------------------------------------------------------------

# An abbreviation the pages use, and how its first use must introduce it: "fully connected (FC)".
ABBREVIATIONS = {"FC": r"(?:fully[ -]connected|완전 연결)[^()\n]{0,30}\(FC\)"}


@pytest.mark.parametrize("path", KO_PAGES + EN_PAGES, ids=ids(KO_PAGES + EN_PAGES))
def test_abbreviations_are_introduced_before_use(path):
    """In reading order (markdown, and the words code cells print: table headers, labels), the first
    use of an abbreviation is its introduction, e.g. "fully connected (FC) layer"."""
    texts = [(c, re.sub(r"(?m)^%.*$", "", c.source) if c.kind == "markdown" else code_prose(c.source))
             for c in cells(path)]
    for abbreviation, introduction in ABBREVIATIONS.items():
        for cell, text in texts:
            first = re.search(rf"(?<![A-Za-z]){abbreviation}(?![A-Za-z])", text)
            if first:
                intro = re.search(introduction, text)
                assert intro and intro.end() - len(abbreviation) - 1 == first.start(), (
                    f"{where(path, cell)}: '{abbreviation}' is used (…{text[max(0, first.start() - 30):first.end() + 20]!r}…) "
                    f"before it is introduced; write it out on first use: 'fully connected (FC) layer' / '완전 연결(FC) 층'")
                break


def test_abbreviation_check():
    intro = re.compile(ABBREVIATIONS["FC"])
    assert intro.search("a fully connected (FC) layer") and intro.search("완전 연결(FC) 층")
    assert not intro.search("FC parameters")


# --- glossaries --------------------------------------------------------------------------------

def linked_targets(edition: str) -> dict[str, list[str]]:
    """{term} targets (lower case) -> where the pages of an edition link them."""
    out: dict[str, list[str]] = {}
    for path in page_paths(edition):
        if path.name == "glossary.md":
            continue
        for cell in cells(path):
            if cell.kind == "markdown":
                for body in roles(cell.source, "term"):
                    out.setdefault(term_target(body).lower(), []).append(where(path, cell))
    return out


def page_words(edition: str) -> str:
    """All the text the pages of an edition show (the glossary itself excluded)."""
    return "\n".join(reader_text(c) for p in page_paths(edition) if p.name != "glossary.md" for c in cells(p))


@pytest.mark.parametrize("edition", ["ko", "en"])
def test_every_term_link_resolves_in_the_editions_glossary(edition):
    terms = {t.lower() for entry in glossary(edition) for t in entry}
    broken = [f"{w}: {{term}} target {t!r}" for t, ws in linked_targets(edition).items() if t not in terms for w in ws]
    assert not broken, f"{{term}} links to no entry of book/{edition}/glossary.md:\n" + "\n".join(sorted(broken))


@pytest.mark.parametrize("edition", ["ko", "en"])
def test_every_glossary_entry_is_used_by_a_page(edition):
    links, words = linked_targets(edition), page_words(edition).lower()
    unused = []
    for entry in glossary(edition):
        names = [korean_part(entry[0])] if edition == "ko" else entry
        if not any(t.lower() in links for t in entry) and not any(n.lower() in words for n in names):
            unused.append(entry[0])
    assert not unused, f"book/{edition}/glossary.md defines terms no {edition} page uses: {unused}"


def test_korean_headwords_are_the_words_the_pages_use():
    """A Korean headword starts with a word the Korean pages write: 펼치기(flatten) if the pages
    write 펼치기/펼친, ReLU 함수(ReLU) if they write ReLU. (The Korean part must hold Hangul, see
    tests/test_book.py, hence "ReLU 함수" rather than "ReLU".) The word may carry a particle."""
    words = page_words("ko")
    missing = [entry[0] for entry in glossary("ko")
               if not re.search(rf"(?<!\w){re.escape(korean_part(entry[0]).split()[0])}", words)]
    assert not missing, ("Korean glossary headwords whose first word no Korean page writes "
                         "(rename the headword to the pages' word, or use the word on a page): " + str(missing))
