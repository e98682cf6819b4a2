"""The course as one download: ``cnn-course.zip`` in the built site (``_ext/course_download.py``).

The zip holds what git would commit, minus the CI files; it runs after unpacking
(``import companion`` from the unpacked tree); every page's download menu and the landing
page link to it; and a tree without git (an unpacked zip) lists the same files.
"""
from __future__ import annotations

import doctest
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.helpers import book_extension, bookbuild

ROOT = Path(__file__).resolve().parents[1]
PREFIX = "cnn-course/"
CI_DIRS = (".ci/", ".github/")


course_download = book_extension("course_download")


@pytest.fixture(scope="module")
def site() -> Path:
    """The HTML of the session's strict build (shared with tests/test_book.py)."""
    bookbuild.build_book()
    html = bookbuild.HTML
    assert (html / course_download.ZIP_NAME).is_file(), f"the build wrote no {course_download.ZIP_NAME} into {html}"
    return html


@pytest.fixture(scope="module")
def names(site) -> list[str]:
    with zipfile.ZipFile(site / course_download.ZIP_NAME) as zf:
        return zf.namelist()


def git_files() -> list[str]:
    """``git ls-files`` (tracked files, plus new files git does not ignore, minus deleted
    ones: in a clean checkout just ``git ls-files``), without the CI files."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: nothing to compare the zip with")

    def ls(*args):
        out = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z", *args], capture_output=True,
                             check=True, timeout=60).stdout.decode()
        return set(filter(None, out.split("\0")))

    files = ls("--cached", "--others", "--exclude-standard") - ls("--deleted")
    return sorted(f for f in files if not f.startswith(CI_DIRS))


def test_the_zip_holds_what_git_lists_minus_ci(site, names):
    assert all(n.startswith(PREFIX) for n in names), "every file sits under cnn-course/"
    assert len(names) == len(set(names)), "a file appears twice"
    listed = sorted(n[len(PREFIX):] for n in names)
    expected = git_files()
    assert listed == expected, (f"only in the zip: {sorted(set(listed) - set(expected))}; "
                                f"missing from the zip: {sorted(set(expected) - set(listed))}")
    for must in ("Makefile", "README.md", "requirements.txt", "pyproject.toml", "_config.yml",
                 "_toc.yml", "companion/__init__.py", "book/ko/03_conv_layer.ipynb",
                 "book/en/03_conv_layer.ipynb", "tests/nbval_sanitize.cfg"):
        assert must in listed, f"the course zip lacks {must}"
    with zipfile.ZipFile(site / course_download.ZIP_NAME) as zf:
        stale = [n for n in names if zf.read(n) != (ROOT / n[len(PREFIX):]).read_bytes()]
    assert not stale, f"the zip holds old versions of {stale}"
    size = (site / course_download.ZIP_NAME).stat().st_size
    bookbuild.REPORT.append(f"course zip: {len(names)} files, {size / 1e6:.2f} MB")


@pytest.fixture(scope="module")
def unpacked(site, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("download")
    with zipfile.ZipFile(site / course_download.ZIP_NAME) as zf:
        zf.extractall(target)
    return target / PREFIX.rstrip("/")


def test_companion_imports_from_the_unpacked_tree(unpacked):
    """Every module of companion imports from the unpacked files alone (not from this
    checkout, where the venv's editable install points)."""
    code = ("import importlib, pkgutil, companion\n"
            "for m in pkgutil.iter_modules(companion.__path__):\n"
            "    importlib.import_module('companion.' + m.name)\n"
            "print(companion.__file__)\n")
    env = {**os.environ, "PYTHONPATH": str(unpacked), "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.run([sys.executable, "-c", code], cwd=unpacked, env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, f"import companion failed in the unpacked course:\n{proc.stderr[-3000:]}"
    where = Path(proc.stdout.strip().splitlines()[-1]).resolve()
    assert where == (unpacked / "companion" / "__init__.py").resolve(), f"companion came from {where}"


def test_a_tree_without_git_lists_the_same_files(unpacked, names):
    """Building from the unpacked zip (no .git): the extension falls back to the tree and
    its .gitignore; build products and caches stay out, the course files are all in."""
    junk = [".venv/lib/site.py", "companion/__pycache__/conv.cpython-311.pyc", "_build/html/index.html",
            "book/ko/.ipynb_checkpoints/03_conv_layer-checkpoint.ipynb", "data/FashionMNIST/raw/x",
            "companion.egg-info/PKG-INFO", ".git/HEAD"]
    for rel in junk:
        (unpacked / rel).parent.mkdir(parents=True, exist_ok=True)
        (unpacked / rel).write_text("junk")
    (unpacked / ".ci").mkdir()
    (unpacked / ".ci" / "run").write_text("ci")
    files = course_download.course_files(unpacked, exclude=(unpacked / "_build" / "html",))
    assert files == sorted(n[len(PREFIX):] for n in names)


def test_the_zip_is_the_same_bytes_every_time(tmp_path):
    files = ["Makefile", "companion/__init__.py"]
    a = course_download.write_zip(ROOT, files, tmp_path / "a.zip")
    b = course_download.write_zip(ROOT, files, tmp_path / "b.zip")
    assert a == b and (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()
    assert not list(tmp_path.glob("*.part"))


def test_the_extension_doctests():
    result = doctest.testmod(course_download)
    assert result.attempted > 0 and result.failed == 0


# --- where it is offered -------------------------------------------------------------------

MENU = re.compile(r'<div class="dropdown dropdown-download-buttons">(.*?)</ul>', re.S)
HREF = re.compile(r'<a\b[^>]*\bhref="([^"]+)"')


@pytest.mark.parametrize("page", bookbuild.all_pages())
def test_every_download_menu_offers_the_course_next_to_the_page(site, page):
    html = (site / f"{page}.html").read_text(encoding="utf-8")
    menu = MENU.search(html)
    assert menu, f"{page}: no download menu"
    links = HREF.findall(menu.group(1))
    zips = [i for i, href in enumerate(links) if href.endswith(course_download.ZIP_NAME)]
    assert len(zips) == 1, f"{page}: the download menu offers {links}"
    target = (site / page).parent / links[zips[0]]
    assert target.resolve() == (site / course_download.ZIP_NAME).resolve(), f"{page}: {links[zips[0]]} leads elsewhere"
    sources = [i for i, href in enumerate(links) if "/_sources/" in href]
    assert sources and zips[0] == sources[-1] + 1, f"{page}: the zip should follow the page's own file: {links}"


def test_the_landing_page_links_to_the_course(site):
    page = bookbuild.toc()["root"]
    html = (site / f"{page}.html").read_text(encoding="utf-8")
    article = html.split('<article class="bd-article">', 1)[-1]
    links = [h for h in HREF.findall(article) if h.endswith(course_download.ZIP_NAME)]
    assert links, f"{page} has no link to {course_download.ZIP_NAME} in its text"
    assert all(((site / page).parent / h).resolve() == (site / course_download.ZIP_NAME).resolve() for h in links)
