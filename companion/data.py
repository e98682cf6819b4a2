"""Fashion-MNIST, offline first, loaded once into tensors.

Where the data lives (the first that is set wins; an empty string counts as not set, for the
argument as for the variable: ``root=""`` is ``root=None``, ``COMPANION_DATA=""`` is unset):
1. the ``root`` argument,
2. the environment variable ``COMPANION_DATA``,
3. ``$XDG_CACHE_HOME/cnn-course`` (by default ``~/.cache/cnn-course``).

Where a missing or damaged file comes from, in order: the official ``.gz`` files in the local
copy (the ``local_copy`` argument, else the environment variable ``COMPANION_LOCAL_COPY``, else
Debian's ``dataset-fashion-mnist`` folder ``DEBIAN_DIR``), else a download from torchvision's
mirrors that waits at most ``DOWNLOAD_TIMEOUT`` seconds for any answer. (``COMPANION_LOCAL_COPY``
lets a test play a machine without Debian's package: point it at an empty folder.)

Nothing is lost: an intact file is never touched; a new file is written next to its place as
``NAME.<random>.part`` and moved into place (replacing a missing or damaged file, never anything
else) only once its checksum is right; the ``.part`` file is removed on any failure. Nothing else
is ever deleted. Every fault (no network, a silent
server, a read-only or full disk, a folder where a file should be, a corrupt ``.gz``) ends in one
``DataError`` that names the path, what is wrong and the fix.

One call allocates at most ``companion._check.MEMORY_BUDGET`` bytes (2 GiB); a larger request is refused before
anything is read. Both editions of the book share the data folder; nothing is written in ``book/``.
"""
from __future__ import annotations

import errno
import gzip
import hashlib
import math
import os
import secrets
import stat
import urllib.request
import zlib
from pathlib import Path
from typing import BinaryIO, Iterator

import torch

from . import _check
from ._check import Flag, Folder, Generator, Int, Labels, Maybe, OneOf, Seed, Tensor, checked

CLASSES_EN = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
              "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
CLASSES_KO = ["티셔츠/톱", "바지", "풀오버", "드레스", "코트",
              "샌들", "셔츠", "스니커즈", "가방", "앵클 부츠"]


@checked(lang=OneOf(("ko", "en")))
def class_names(lang: str) -> list[str]:
    """The ten Fashion-MNIST class names in the page's language, ``"ko"`` or ``"en"``.

    >>> class_names("en")[0], class_names("ko")[0]
    ('T-shirt/top', '티셔츠/톱')
    """
    return list({"ko": CLASSES_KO, "en": CLASSES_EN}[lang])


DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")

# MD5 and size of the *uncompressed* official files. torchvision checks the .gz files,
# whose bytes depend on the compressor (Debian's differ); the content does not.
RAW_FILES = {
    "train-images-idx3-ubyte": ("f4a8712d7a061bf5bd6d2ca38dc4d50a", 47040016),
    "train-labels-idx1-ubyte": ("9018921c3c673c538a1fc5bad174d6f9", 60008),
    "t10k-images-idx3-ubyte": ("8181f5470baa50b63fa0f6fddb340f0a", 7840016),
    "t10k-labels-idx1-ubyte": ("15d484375f8d13e6eb1aabb0c3f46965", 10008),
}

N_IMAGES = 70_000  # 60,000 training and 10,000 test images
DOWNLOAD_TIMEOUT = 10.0  # seconds a mirror may take to connect or to send anything at all
_NEED_MB = math.ceil(sum(size for _, size in RAW_FILES.values()) / 1e6)

HOW_TO_GET = (
    "How to get it: on Debian/Ubuntu run `sudo apt-get install dataset-fashion-mnist` "
    "(the files land in /usr/share/datasets/fashion-mnist/), or download the four .gz files from "
    "https://github.com/zalandoresearch/fashion-mnist (data/fashion) into {raw}, "
    "or connect to the internet once so they can be downloaded."
)


class DataError(RuntimeError):
    """Fashion-MNIST is missing or damaged, or its folder is unusable; the message says how to fix it."""


class _Unusable(Exception):
    """A source (a local ``.gz`` file or a download) that does not give the official file."""


def _path(x: object) -> Path | None:
    """A folder accepted by ``Folder`` as a Path, or ``None`` when it is None or "" (not set)."""
    text = "" if x is None else os.fspath(x)
    return Path(text).expanduser() if text else None


def _where(root: object) -> tuple[Path, str]:
    """The data folder and, for messages, who chose it."""
    path = _path(root)
    if path is not None:
        return path, f"root={os.fspath(root)!r}"
    if os.environ.get("COMPANION_DATA"):
        return Path(os.environ["COMPANION_DATA"]).expanduser(), f"COMPANION_DATA={os.environ['COMPANION_DATA']!r}"
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "cnn-course", "the default data folder"


def _elsewhere(who: str) -> str:
    """How to choose another data folder, in the terms the user chose this one."""
    if who.startswith("root="):
        return "pass another folder as root"
    if who.startswith("COMPANION_DATA="):
        return "set COMPANION_DATA to another folder"
    return "choose another folder with root=... or COMPANION_DATA"


@checked(root=Folder())
def data_root(root: str | os.PathLike | None = None) -> Path:
    """The folder that holds ``FashionMNIST/raw``: argument, else $COMPANION_DATA, else the cache.
    An empty string counts as not set, for ``root`` as for ``COMPANION_DATA``.

    >>> data_root("/tmp/x")
    PosixPath('/tmp/x')
    >>> data_root("") == data_root(None)
    True
    """
    return _where(root)[0]


def _source(local_copy: object) -> tuple[Path | None, str]:
    """The folder of official ``.gz`` files to repair from (None: none), and who chose it."""
    if local_copy is False:
        return None, "local_copy=False"
    if local_copy is not True:
        path = _path(local_copy)
        if path is not None:
            return path, f"local_copy={os.fspath(local_copy)!r}"
    if os.environ.get("COMPANION_LOCAL_COPY"):
        env = os.environ["COMPANION_LOCAL_COPY"]
        return Path(env).expanduser(), f"COMPANION_LOCAL_COPY={env!r}"
    return DEBIAN_DIR, "Debian's dataset-fashion-mnist folder"


def _fs_error(e: OSError, path: Path, doing: str, who: str) -> DataError:
    """A fault of the data folder as a DataError: the path, what is wrong, the fix."""
    if e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        what, fix = (("it is not readable for you", "make it readable (chmod u+r)") if doing == "read"
                     else ("the folder is read-only", "make it writable (chmod u+w)"))
    elif e.errno in (errno.ENOSPC, errno.EDQUOT):
        what, fix = "the disk is full", f"free {_NEED_MB} MB on that disk"
    elif e.errno in (errno.ENOTDIR, errno.EEXIST):
        what, fix = "a part of the path is a file, not a folder", "move that file away"
    else:
        what, fix = "the file system refused", "check that folder"
    chosen = f" (the data folder is {who})" if who else ""
    return DataError(f"Cannot {doing} {path}{chosen}: {what} "
                     f"[{type(e).__name__}: {e.strerror or e}]. Fix: {fix}, or {_elsewhere(who)}.")


def _md5(path: Path, who: str = "") -> str:
    h = hashlib.md5(usedforsecurity=False)
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    except OSError as e:
        raise _fs_error(e, path, "read", who) from None
    return h.hexdigest()


def _verify(raw: Path, who: str = "") -> list[str]:
    """Names of raw files that are missing, truncated or corrupt. Something other than a file
    in a file's place is a DataError: this code never deletes what it did not create."""
    bad = []
    for name, (md5, size) in RAW_FILES.items():
        path = raw / name
        try:
            st = path.stat()
        except FileNotFoundError:
            bad.append(name)
            continue
        except OSError as e:
            raise _fs_error(e, path, "read", who) from None
        if not stat.S_ISREG(st.st_mode):
            kind = "folder" if stat.S_ISDIR(st.st_mode) else "special file"
            raise DataError(f"{path} is a {kind}, not the raw file {name} (the data folder is {who}); "
                            "this code did not create it and will not delete it. Fix: move it away "
                            f"(or delete it) and run again, or {_elsewhere(who)}.")
        if st.st_size != size or _md5(path, who) != md5:
            bad.append(name)
    return bad


def _gunzip(f: BinaryIO) -> Iterator[bytes]:
    with gzip.GzipFile(fileobj=f, mode="rb") as g:
        while block := g.read(1 << 20):
            yield block


def _install(blocks: Iterator[bytes], dest: Path, who: str) -> None:
    """Write ``blocks`` to a private ``.part`` file next to ``dest``; move it into place only if
    it is the official file. A fault of the folder is a DataError; a bad source raises _Unusable
    (or whatever reading ``blocks`` raised). The ``.part`` file never outlives the call."""
    md5, size = RAW_FILES[dest.name]
    part = dest.with_name(f"{dest.name}.{secrets.token_hex(4)}.part")
    created = False
    try:
        try:
            f = open(part, "xb", buffering=0)
        except OSError as e:
            raise _fs_error(e, dest.parent, "write in", who) from None
        created = True
        h, n = hashlib.md5(usedforsecurity=False), 0
        with f:
            for block in blocks:
                n += len(block)
                if n > size:
                    raise _Unusable(f"it holds more than the {size:,} bytes of {dest.name}")
                h.update(block)
                view = memoryview(block)
                try:
                    while view:
                        view = view[f.write(view):]
                except OSError as e:
                    raise _fs_error(e, part, "write", who) from None
        if n != size or h.hexdigest() != md5:
            raise _Unusable(f"it does not hold the official {dest.name} (wrong size or checksum)")
        try:
            os.replace(part, dest)
        except OSError as e:
            raise _fs_error(e, dest, "replace", who) from None
        created = False
    finally:
        if created:
            try:
                os.unlink(part)
            except OSError:
                pass


def _why(e: Exception) -> str:
    if isinstance(e, _Unusable):
        return str(e)
    if isinstance(e, EOFError):
        return f"it is truncated [EOFError: {e}]"
    if isinstance(e, (gzip.BadGzipFile, zlib.error)):
        return f"it is corrupt [{type(e).__name__}: {e}]"
    return f"{type(e).__name__}: {e}"


def _download(dest: Path, who: str, dead: set[str]) -> list[str]:
    """Fetch ``dest`` from torchvision's mirrors; why it failed (``[]``: done, or no mirror left)."""
    from torchvision.datasets import FashionMNIST
    reasons = []
    for mirror in FashionMNIST.mirrors:
        if mirror in dead:
            continue
        url = f"{mirror}{dest.name}.gz"
        try:
            request = urllib.request.Request(url, headers={"User-Agent": "companion"})
            with urllib.request.urlopen(request, timeout=DOWNLOAD_TIMEOUT) as response:
                _install(_gunzip(response), dest, who)
            return []
        except DataError:
            raise
        except Exception as e:  # no network, a silent server (timeout), an HTTP error, a bad file
            dead.add(mirror)  # a dead network costs one timeout per mirror, not one per file
            reasons.append(f"the download of {url} failed ({_why(e)})")
    return reasons


@checked(root=Folder(), local_copy=Folder(flags=True))
def ensure_fashion_mnist(root: str | os.PathLike | None = None,
                         local_copy: str | os.PathLike | bool | None = None) -> Path:
    """Make sure the four raw Fashion-MNIST files exist and are intact; return the root.

    Order: files already in ``ROOT/FashionMNIST/raw``; else the official ``.gz`` files in
    ``local_copy`` (default: ``$COMPANION_LOCAL_COPY``, else Debian's ``dataset-fashion-mnist``
    folder; ``False``: none); else a download (``DOWNLOAD_TIMEOUT`` per mirror).
    A truncated or corrupt file is never used and an intact one never touched; what can't be
    repaired raises ``DataError`` with the fix.

    >>> ensure_fashion_mnist().name  # doctest: +SKIP
    'cnn-course'
    """
    root, who = _where(root)
    source, source_who = _source(local_copy)
    raw = root / "FashionMNIST" / "raw"
    for folder in (*reversed(root.absolute().parents), root, root / "FashionMNIST", raw):
        if folder.exists() and not folder.is_dir():
            raise DataError(f"{folder} is a file, not a folder (the data folder is {who}). Fix: "
                            + ("move that file away and run again" if root in folder.parents else _elsewhere(who))
                            + ".")
    bad = _verify(raw, who)
    if not bad:
        return root
    try:
        raw.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise _fs_error(e, raw, "create", who) from None
    problems: list[str] = []
    dead: set[str] = set()
    for name in bad:
        dest = raw / name
        if source is not None:
            gz = source / f"{name}.gz"
            if not gz.is_file():
                note = (f"the local copy {source} ({source_who}) has no {gz.name}" if source.is_dir()
                        else f"the local copy {source} ({source_who}) is not a folder" if source.exists()
                        else f"there is no local copy in {source} ({source_who})")
            else:
                try:
                    with open(gz, "rb") as f:
                        _install(_gunzip(f), dest, who)
                    continue
                except DataError:
                    raise
                except Exception as e:  # truncated, corrupt, unreadable, not the official file
                    note = f"the local copy {gz} is unusable: {_why(e)}; replace it with an intact copy"
            if note not in problems:
                problems.append(note)
        problems += _download(dest, who, dead)
    bad = _verify(raw, who)
    if bad:
        raise DataError(f"Fashion-MNIST is missing or damaged in {raw} ({', '.join(bad)}; the data "
                        f"folder is {who}): {'; '.join(problems)}. " + HOW_TO_GET.format(raw=raw))
    return root


def resize_within_budget(resize: int | None) -> None:
    """70,000 images of ``resize``×``resize`` pixels within the memory budget (2 GiB: a ``resize``
    of at most 87), refused before anything is read.

    >>> load_fashion_mnist(resize=88)
    Traceback (most recent call last):
    ...
    ValueError: resize=88 (70,000 float32 images of 88x88 pixels) would allocate 2.0 GiB, more than the 2 GiB one call may use (companion._check.MEMORY_BUDGET); the largest resize within it is 87
    """
    if resize is not None:
        _check.within_budget(N_IMAGES * resize * resize * 4,
                             f"resize={resize} ({N_IMAGES:,} float32 images of {resize}x{resize} pixels)",
                             f"; the largest resize within it is {math.isqrt(_check.MEMORY_BUDGET // (N_IMAGES * 4))}")


@checked(resize_within_budget, root=Folder(), resize=Maybe(Int(minimum=1)))
def load_fashion_mnist(root: str | os.PathLike | None = None, resize: int | None = None
                       ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """All of Fashion-MNIST as tensors: ``(X_train, y_train, X_test, y_test)``.

    Images are float32 in [0, 1] with shape (n, 1, 28, 28) (or ``resize``×``resize``),
    labels are int64. Loading once into tensors is about twice as fast per epoch as
    converting every image with ``ToTensor`` inside a ``DataLoader``.

    All arguments are checked before any data is read; a ``resize`` whose images would need
    more than ``MEMORY_BUDGET`` bytes (2 GiB: anything above 87) is refused.

    >>> X, y, Xt, yt = load_fashion_mnist()  # doctest: +SKIP
    >>> X.shape, Xt.shape  # doctest: +SKIP
    (torch.Size([60000, 1, 28, 28]), torch.Size([10000, 1, 28, 28]))
    """
    root = ensure_fashion_mnist(root)
    import torchvision
    out = []
    for train in (True, False):
        ds = torchvision.datasets.FashionMNIST(str(root), train=train, download=False)
        X = ds.data.unsqueeze(1).to(torch.float32).div_(255)
        if resize is not None and resize != X.shape[-1]:
            X = torch.nn.functional.interpolate(X, size=(resize, resize), mode="bilinear",
                                                antialias=True, align_corners=False)
        out += [X, ds.targets.to(torch.int64)]
    return tuple(out)


def permutation_within_budget(n: int) -> None:
    """A permutation of ``n`` int64 indices within the memory budget, refused before it is allocated.

    >>> epoch_order(2**28 + 1, torch.Generator())
    Traceback (most recent call last):
    ...
    ValueError: n=268435457 (a permutation of 268,435,457 int64 indices) would allocate 2.0 GiB, more than the 2 GiB one call may use (companion._check.MEMORY_BUDGET)
    """
    _check.within_budget(8 * n, f"n={n} (a permutation of {n:,} int64 indices)")


@checked(permutation_within_budget, n=Int(minimum=0), generator=Generator())
def epoch_order(n: int, generator: torch.Generator) -> torch.Tensor:
    """The order in which a shuffled epoch visits ``n`` examples (advances ``generator``).

    >>> epoch_order(5, torch.Generator().manual_seed(0)).tolist()
    [4, 0, 1, 3, 2]
    """
    return torch.randperm(n, generator=generator)


def one_label_per_example(X: torch.Tensor, y: torch.Tensor) -> None:
    """``X`` holds one example per row (it is at least 1-D) and ``y`` one label for each.

    >>> Batches(torch.zeros(3, 2), torch.zeros(2, dtype=torch.long), batch_size=2)
    Traceback (most recent call last):
    ...
    ValueError: X and y must have the same length, got 3 and 2
    """
    if X.dim() == 0:
        raise ValueError("X must hold one example per row (at least 1-D), got a 0-D tensor")
    if len(X) != len(y):
        raise ValueError(f"X and y must have the same length, got {len(X)} and {len(y)}")


class Batches:
    """Mini-batches over in-memory tensors; reshuffled every epoch from its own generator.

    >>> b = Batches(torch.zeros(10, 1, 2, 2), torch.zeros(10, dtype=torch.long), batch_size=4)
    >>> len(b), [len(y) for _, y in b]
    (3, [4, 4, 2])
    """

    @checked(one_label_per_example, X=Tensor(), y=Labels(), batch_size=Int(minimum=1), shuffle=Flag(),
             seed=Seed())
    def __init__(self, X: torch.Tensor, y: torch.Tensor, batch_size: int,
                 shuffle: bool = False, seed: int = 0):
        self.X, self.y, self.batch_size, self.shuffle = X, y, batch_size, shuffle
        self.generator = torch.Generator().manual_seed(seed)

    def __len__(self) -> int:
        return (len(self.X) + self.batch_size - 1) // self.batch_size

    def __iter__(self):
        n = len(self.X)
        if self.shuffle:
            idx = epoch_order(n, self.generator)
            for k in range(0, n, self.batch_size):
                sel = idx[k:k + self.batch_size]
                yield self.X[sel], self.y[sel]
        else:
            for k in range(0, n, self.batch_size):
                yield self.X[k:k + self.batch_size], self.y[k:k + self.batch_size]


@checked(resize_within_budget, batch_size=Int(minimum=1), root=Folder(), resize=Maybe(Int(minimum=1)),
         seed=Seed())
def fashion_mnist_batches(batch_size: int = 256, root: str | os.PathLike | None = None,
                          resize: int | None = None, seed: int = 0) -> tuple[Batches, Batches]:
    """Training batches (shuffled) and test batches (in order) of Fashion-MNIST.

    >>> train_iter, test_iter = fashion_mnist_batches(256)  # doctest: +SKIP
    >>> len(train_iter), len(test_iter)  # doctest: +SKIP
    (235, 40)
    """
    X, y, Xt, yt = load_fashion_mnist(root, resize)
    return (Batches(X, y, batch_size, shuffle=True, seed=seed),
            Batches(Xt, yt, batch_size, shuffle=False))
