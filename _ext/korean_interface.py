"""A Korean interface on Korean pages, an English one on English pages.

The book is one Sphinx project whose ``language`` is English, so the theme would write
"Search", "Contents", "previous"/"next" and its tooltips in English on every page. Page by
page, this extension switches the language of the theme's words: for each page under
``book/ko/`` (and the Korean search page) it puts Korean translators in place of the
English ones, for the page's body (heading links, figure numbers) and for its template
(search box, 목차, 이전/다음, the download, full-screen and colour-mode buttons); every
other page gets the English ones back.

- Words: :data:`KOREAN_WORDS` first, then the Korean catalogues that Sphinx and
  sphinx-book-theme ship (pydata-sphinx-theme has none).
- Figure numbers: 그림 1.3.2 on Korean pages, Figure 1.3.2 on English ones (also in
  ``{numref}`` references); tables and listings likewise.
- Search: Korean pages send their search box to ``book/ko/search.html``, a second search
  page over the same index, with the Korean messages of Sphinx's search script.
- Copy buttons say 복사 on Korean pages.
- Three small templates of sphinx-book-theme that write English without asking for a
  translation (the sidebar toggles, the sidebar's label) are replaced by copies that do
  (``_ext/templates/``).
"""
from __future__ import annotations

import gettext
import importlib.util
import shutil
from pathlib import Path

from sphinx import locale as sphinx_locale
from sphinx import package_dir
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform

KOREAN_PREFIX = "book/ko/"
KOREAN_SEARCH = "book/ko/search"  # the search page of Korean pages (same index)
TEMPLATES = Path(__file__).parent / "templates"
JS_TRANSLATIONS = "translations-ko.js"  # Sphinx's Korean messages for its search script

# The theme's words on this book's pages, in Korean. They come before the catalogues, whose
# Korean is missing or reads oddly here (booktheme: "Contents" -> 내용, "By" -> 으로).
KOREAN_WORDS = {
    # search
    "Search": "검색",
    "Search...": "검색...",
    "Search this book...": "이 책에서 검색...",
    "Search Results": "검색 결과",
    "Searching": "검색 중",
    "Error": "오류",
    "Please activate JavaScript to enable the search functionality.":
        "검색 기능을 쓰려면 JavaScript를 켜 주십시오.",
    # navigation
    "Contents": "목차",
    "On this page": "이 페이지의 목차",
    "previous": "이전",
    "next": "다음",
    "previous page": "이전 페이지",
    "next page": "다음 페이지",
    "Skip to main content": "본문으로 건너뛰기",
    "Back to top": "맨 위로",
    "Site navigation": "사이트 탐색",
    "Section Navigation": "절 탐색",
    "Breadcrumb": "현재 위치",
    "Home": "처음",
    "Index": "색인",
    "Version warning": "버전 경고",
    "Announcement": "공지",
    "Toggle primary sidebar": "왼쪽 사이드바 열기·닫기",
    "Toggle secondary sidebar": "오른쪽 사이드바 열기·닫기",
    "Main": "주 메뉴",
    "Page": "페이지",
    # header buttons
    "Download this page": "이 페이지 내려받기",
    "Download source file": "원본 파일 내려받기",
    "Download notebook file": "노트북 파일 내려받기",
    "Print to PDF": "PDF로 인쇄",
    "Fullscreen mode": "전체 화면",
    "Color mode": "색상 모드",
    "Light": "밝게",
    "Dark": "어둡게",
    "System Settings": "시스템 설정",
    "By": "지은이:",
    # the page body
    "Link to this heading": "이 제목으로 가는 링크",
    "Link to this definition": "이 정의로 가는 링크",
    "Link to this term": "이 용어로 가는 링크",
    "Link to this table": "이 표로 가는 링크",
    "Link to this code": "이 코드로 가는 링크",
    "Link to this image": "이 그림으로 가는 링크",
}

# numfig_format on each kind of page: 그림 1.3.2 / Figure 1.3.2.
NUMFIG = {
    "ko": {"figure": "그림 %s", "table": "표 %s", "code-block": "코드 %s", "section": "%s절"},
    "en": {"figure": "Figure %s", "table": "Table %s", "code-block": "Listing %s", "section": "Section %s"},
}

# sphinx-copybutton chooses its words by <html lang> from a table without Korean; this adds
# Korean to that table before the buttons are made (on DOMContentLoaded).
COPY_BUTTON_KO = """
if (typeof messages !== 'undefined' && !messages.ko) {
  messages.ko = {copy: '복사', copy_to_clipboard: '클립보드로 복사', copy_success: '복사했습니다!',
                 copy_failure: '복사하지 못했습니다'};
  locale = 'ko';
}
"""


def is_korean(pagename: str | None) -> bool:
    """Whether a page speaks Korean.

    >>> is_korean("book/ko/03_conv_layer"), is_korean("book/ko/search"), is_korean("search")
    (True, True, False)
    """
    return bool(pagename) and pagename.startswith(KOREAN_PREFIX)


class Words(gettext.NullTranslations):
    """A fixed table of translations, in front of its fallbacks (the catalogues).

    >>> Words({"next": "다음"}).gettext("next"), Words({}).gettext("next")
    ('다음', 'next')
    """

    def __init__(self, words: dict[str, str]):
        super().__init__()
        self._words = words

    def gettext(self, message: str) -> str:
        if message in self._words:
            return self._words[message]
        return self._fallback.gettext(message) if self._fallback else message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        if singular in self._words:
            return self._words[singular]
        return self._fallback.ngettext(singular, plural, n) if self._fallback else (singular if n == 1 else plural)


def _package_dir(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    return Path(next(iter(spec.submodule_search_locations))) if spec and spec.submodule_search_locations else None


def catalogue_dirs(catalog: str) -> list[Path]:
    """Where the Korean catalogues of a message catalogue live (those that exist)."""
    dirs = []
    if catalog == "sphinx":
        dirs.append(Path(package_dir) / "locale")
        pydata = _package_dir("pydata_sphinx_theme")
        if pydata:
            dirs.append(pydata / "locale")
    elif catalog == "booktheme":
        book = _package_dir("sphinx_book_theme")
        if book:
            dirs.append(book / "theme" / "sphinx_book_theme" / "static" / "locales")
    return dirs


def korean_translator(catalog: str) -> gettext.NullTranslations:
    translator = Words(KOREAN_WORDS)
    for folder in catalogue_dirs(catalog):
        try:
            translator.add_fallback(gettext.translation(catalog, str(folder), languages=["ko"]))
        except OSError:  # no Korean catalogue there
            pass
    return translator


class Interface:
    """The current language of the theme's words, switched page by page."""

    def __init__(self) -> None:
        self.language = "en"
        self.english: dict[tuple[str, str], gettext.NullTranslations] | None = None
        self.korean: dict[tuple[str, str], gettext.NullTranslations] = {}

    def use(self, app: Sphinx, language: str) -> None:
        if self.english is None:  # every extension has registered its catalogue by now
            self.english = {k: t for k, t in sphinx_locale.translators.items() if k[0] == "general"}
            self.korean = {k: korean_translator(k[1]) for k in self.english}
        app.config.numfig_format.update(NUMFIG[language])
        if language == self.language:
            return
        table = self.korean if language == "ko" else self.english
        sphinx_locale.translators.update(table)
        templates = getattr(app.builder, "templates", None)
        if templates is not None and ("general", "sphinx") in table:
            templates.environment.install_gettext_translations(table["general", "sphinx"])
        self.language = language


INTERFACE = Interface()


class PageLanguage(SphinxPostTransform):
    """Before a page's references are resolved and its body is written: its language."""

    default_priority = 1  # before the references (10) and everything else

    def run(self) -> None:
        INTERFACE.use(self.app, "ko" if is_korean(self.env.docname) else "en")


def page_language(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Before the theme fills in its words (it does so in html-page-context as well)."""
    korean = is_korean(pagename)
    INTERFACE.use(app, "ko" if korean else "en")
    if context.get("theme_search_bar_text"):  # a theme option, so no template translates it
        context["theme_search_bar_text"] = sphinx_locale.get_translation("sphinx")(context["theme_search_bar_text"])
    if not korean:
        return
    original = context["pathto"]

    def pathto(otheruri: str, *args, **kwargs) -> str:
        resource = (args[0] if args else kwargs.get("resource", False))
        return original(KOREAN_SEARCH if otheruri == "search" and not resource else otheruri, *args, **kwargs)

    context["pathto"] = pathto
    app.add_js_file(JS_TRANSLATIONS)  # this page only (Sphinx resets the list for each page)
    app.add_js_file(None, body=COPY_BUTTON_KO, priority=900)  # after copybutton.js


def korean_search_page(app: Sphinx):
    if getattr(app.builder, "search", False):
        yield KOREAN_SEARCH, {}, "search.html"


def search_page_scripts(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """pydata-sphinx-theme loads the search scripts on every page except the one called
    "search", whose template loads them itself: for the template, the Korean search page
    is "search" too (links are computed from the real page name, not from this variable)."""
    if pagename == KOREAN_SEARCH:
        context["pagename"] = "search"


def copy_js_translations(app: Sphinx, exc: Exception | None) -> None:
    INTERFACE.use(app, "en")
    if exc is None and app.builder.format == "html":
        source = Path(package_dir) / "locale" / "ko" / "LC_MESSAGES" / "sphinx.js"
        shutil.copyfile(source, Path(app.outdir) / "_static" / JS_TRANSLATIONS)


def add_templates(app: Sphinx, config) -> None:
    config.templates_path.insert(0, str(TEMPLATES))  # before the themes' own components


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", add_templates)
    app.add_post_transform(PageLanguage)
    app.connect("html-page-context", page_language, priority=100)  # the themes use 500
    app.connect("html-collect-pages", korean_search_page)
    app.connect("html-page-context", search_page_scripts, priority=900)  # after the themes
    app.connect("build-finished", copy_js_translations)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": False}
