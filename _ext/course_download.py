"""The whole course as one download: a Sphinx extension loaded by ``_config.yml``.

Every HTML build writes ``cnn-course.zip`` into the root of the site. It holds the course
as a learner needs it to run the pages: both editions' notebooks, ``companion/``,
``tests/``, the configuration, requirements, ``Makefile`` and ``README.md``; that is,
what ``git ls-files`` lists, minus the CI files (``.ci/``). Every name in the zip sits
under one folder, ``cnn-course/``, so unpacking it makes no mess.

Which files
    In a git checkout: ``git ls-files`` plus new files that git does not ignore, minus
    files deleted from the working tree (in a clean checkout that is ``git ls-files``).
    In a tree without git (say, an unpacked copy of this very zip), every file that the
    tree's ``.gitignore`` does not exclude. The build's own output is never included.

Where it is offered
    * each page's download menu (the theme's download button, next to ``.ipynb`` and
      ``.md``) gains an entry for the zip;
    * a page can link to it with the role ``{course-download}`Download the course```
      (the landing page does).

The zip is deterministic: sorted names, a fixed date, modes 644/755. It is written to a
temporary name and then renamed, so a served site never shows half a zip.
"""
from __future__ import annotations

import fnmatch
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.osutil import relative_uri

from korean_interface import is_korean  # beside this file in _ext/, which Sphinx puts on sys.path

logger = logging.getLogger(__name__)

ZIP_STEM = "cnn-course"
ZIP_NAME = f"{ZIP_STEM}.zip"
CI_DIRS = (".ci/", ".github/")  # CI machinery: not part of what a learner runs
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip can store: same bytes every build
GIT_TIMEOUT_S = 60
DOWNLOAD_GROUP = "download-buttons"  # sphinx-book-theme's label for the download menu
TEXT = {"en": ("course .zip", "Download the whole course: notebooks, companion, tests"),
        "ko": ("강의 전체 .zip", "강의 전체 내려받기: 노트북, companion, 테스트")}


# --- which files ------------------------------------------------------------------------

def _git_files(root: Path) -> list[str] | None:
    """The files git would commit from ``root``, or None when ``root`` is not the top of a
    git work tree (or git is missing or fails)."""
    git = shutil.which("git")
    if git is None:
        return None

    def run(*args: str) -> str | None:
        try:
            proc = subprocess.run([git, "-C", str(root), *args], capture_output=True,
                                  timeout=GIT_TIMEOUT_S, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return proc.stdout.decode("utf-8", "surrogateescape") if proc.returncode == 0 else None

    top = run("rev-parse", "--show-toplevel")
    if not top or Path(top.strip()).resolve() != root.resolve():
        return None  # not a checkout, or a folder inside some other repository
    listed = run("ls-files", "-z", "--cached", "--others", "--exclude-standard")
    deleted = run("ls-files", "-z", "--deleted")
    if listed is None or deleted is None:
        return None
    listed, deleted = (set(filter(None, out.split("\0"))) for out in (listed, deleted))
    return sorted(listed - deleted)


def ignore_patterns(text: str) -> list[str]:
    """The patterns of a ``.gitignore`` file (blank lines, comments and ``!`` lines dropped).

    >>> ignore_patterns("# build\\n_build/\\n\\n*.pyc\\n!keep.pyc\\n")
    ['_build/', '*.pyc']
    """
    lines = (line.strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith(("#", "!"))]


def is_ignored(relpath: str, is_dir: bool, patterns: list[str]) -> bool:
    """Whether a path (relative to the root, with ``/``) matches one of the ``.gitignore``
    patterns, read the way git reads the common forms: ``name``, ``*.ext``, ``dir/``,
    ``/anchored``, ``a/b``.

    >>> is_ignored("x/__pycache__", True, ["__pycache__/"]), is_ignored("data", True, ["/data/"])
    (True, True)
    >>> is_ignored("book/data", True, ["/data/"]), is_ignored("a.egg-info", False, ["*.egg-info/"])
    (False, False)
    """
    name = relpath.rsplit("/", 1)[-1]
    for pattern in patterns:
        dir_only = pattern.endswith("/")
        pattern = pattern.rstrip("/")
        if dir_only and not is_dir:
            continue
        if "/" in pattern:  # anchored at the root
            if fnmatch.fnmatchcase(relpath, pattern.lstrip("/")):
                return True
        elif fnmatch.fnmatchcase(name, pattern):
            return True
    return False


def _tree_files(root: Path) -> list[str]:
    """Every file under ``root`` that its ``.gitignore`` does not exclude (``.git`` never)."""
    gitignore = root / ".gitignore"
    patterns = ignore_patterns(gitignore.read_text(encoding="utf-8")) if gitignore.is_file() else []
    found = []
    for folder, dirs, files in os.walk(root):
        rel = Path(folder).relative_to(root).as_posix()
        prefix = "" if rel == "." else rel + "/"
        dirs[:] = sorted(d for d in dirs if d != ".git" and not is_ignored(prefix + d, True, patterns))
        found += [prefix + f for f in files if not is_ignored(prefix + f, False, patterns)]
    return sorted(found)


def course_files(root: Path, exclude: tuple[Path, ...] = ()) -> list[str]:
    """The files of the course under ``root``, as sorted relative paths with ``/``: what git
    would commit (or, without git, what ``.gitignore`` lets through), minus the CI folders
    and anything under ``exclude`` (the build's output)."""
    root = Path(root).resolve()
    files = _git_files(root)
    if files is None:
        files = _tree_files(root)
    skip = [p.resolve() for p in exclude]
    keep = []
    for rel in files:
        path = root / rel
        if rel.startswith(CI_DIRS) or not path.is_file():
            continue
        if any(path.resolve().is_relative_to(s) for s in skip):
            continue
        keep.append(rel)
    return keep


# --- the zip ----------------------------------------------------------------------------

def write_zip(root: Path, files: list[str], target: Path) -> int:
    """Write ``files`` (relative to ``root``) into the zip ``target``, under ``cnn-course/``;
    return its size in bytes. Same files, same bytes."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for rel in sorted(files):
            info = zipfile.ZipInfo(f"{ZIP_STEM}/{rel}", date_time=ZIP_DATE)
            executable = os.stat(root / rel).st_mode & 0o111
            info.external_attr = (0o100755 if executable else 0o100644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, (root / rel).read_bytes(), compresslevel=9)
    os.replace(partial, target)
    return target.stat().st_size


def build_zip(app: Sphinx, exc: Exception | None) -> None:
    if exc is not None or app.builder.format != "html":
        return
    root = Path(app.srcdir)  # the book's root: _config.yml, Makefile, companion/
    files = course_files(root, exclude=(Path(app.outdir), Path(app.doctreedir)))
    if not any(f.startswith("companion/") for f in files):
        logger.warning(f"{ZIP_NAME}: no companion/ files found under {root}; the download would not run")
        return
    size = write_zip(root, files, Path(app.outdir) / ZIP_NAME)
    logger.info(f"{ZIP_NAME}: {len(files)} files, {size / 1e6:.2f} MB")


# --- links to it ------------------------------------------------------------------------

def add_to_download_menu(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Put the zip into the page's download menu, right after the page's own source files.
    Runs after sphinx-book-theme has built the menu (its handler has priority 501)."""
    for group in context.get("header_buttons", []):
        if group.get("label") != DOWNLOAD_GROUP:
            continue
        text, tooltip = TEXT["ko" if is_korean(pagename) else "en"]
        buttons = group["buttons"]
        sources = [i for i, b in enumerate(buttons) if b.get("type") == "link"]
        buttons.insert(sources[-1] + 1 if sources else 0, {
            "type": "link",
            "url": context["pathto"](ZIP_NAME, 1),
            "text": text,
            "tooltip": tooltip,
            "icon": "fas fa-file-zipper",
            "label": "download-course-button",
        })


class course_download(nodes.reference):
    """A link to the course zip; its address is filled in when the page is written."""


def course_download_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    return [course_download(rawtext, text or ZIP_NAME)], []


class ResolveCourseDownload(SphinxPostTransform):
    """The address of the zip relative to the page being written (``../cnn-course.zip``)."""

    default_priority = 5

    def run(self) -> None:
        for node in list(self.document.findall(course_download)):
            uri = relative_uri(self.app.builder.get_target_uri(self.env.docname), ZIP_NAME)
            node.replace_self(nodes.reference(node.rawsource, node.astext(), refuri=uri,
                                              classes=["course-download"]))


def setup(app: Sphinx) -> dict:
    app.add_role("course-download", course_download_role)
    app.add_post_transform(ResolveCourseDownload)
    app.connect("html-page-context", add_to_download_menu, priority=510)
    app.connect("build-finished", build_zip)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
