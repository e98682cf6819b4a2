"""Fashion-MNIST, offline first, loaded once into tensors.

Where the data lives (the first that is set wins):
1. the ``root`` argument,
2. the environment variable ``COMPANION_DATA``,
3. ``$XDG_CACHE_HOME/cnn-course`` (by default ``~/.cache/cnn-course``).

Both editions of the book share this folder; nothing is written inside ``book/``.
"""
from __future__ import annotations

import gzip
import hashlib
import os
import shutil
from pathlib import Path

import torch

from . import _check

CLASSES_EN = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
              "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
CLASSES_KO = ["티셔츠/톱", "바지", "풀오버", "드레스", "코트",
              "샌들", "셔츠", "스니커즈", "가방", "앵클 부츠"]

DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")

# MD5 and size of the *uncompressed* official files. torchvision checks the .gz files,
# whose bytes depend on the compressor (Debian's differ); the content does not.
RAW_FILES = {
    "train-images-idx3-ubyte": ("f4a8712d7a061bf5bd6d2ca38dc4d50a", 47040016),
    "train-labels-idx1-ubyte": ("9018921c3c673c538a1fc5bad174d6f9", 60008),
    "t10k-images-idx3-ubyte": ("8181f5470baa50b63fa0f6fddb340f0a", 7840016),
    "t10k-labels-idx1-ubyte": ("15d484375f8d13e6eb1aabb0c3f46965", 10008),
}

HOW_TO_GET = (
    "How to get it: on Debian/Ubuntu run `sudo apt-get install dataset-fashion-mnist` "
    "(the files land in /usr/share/datasets/fashion-mnist/), or download the four .gz files from "
    "https://github.com/zalandoresearch/fashion-mnist (data/fashion) into {raw}, "
    "or connect to the internet once so torchvision can download them."
)


class DataError(RuntimeError):
    """Fashion-MNIST is missing or damaged; the message says how to fix it."""


def data_root(root: str | os.PathLike | None = None) -> Path:
    """The folder that holds ``FashionMNIST/raw``: argument, else $COMPANION_DATA, else the cache.

    >>> data_root("/tmp/x")
    PosixPath('/tmp/x')
    """
    if root is not None:
        if not isinstance(root, (str, os.PathLike)):
            raise TypeError(f"root must be a path (str or os.PathLike), got {type(root).__name__}")
        return Path(root).expanduser()
    if os.environ.get("COMPANION_DATA"):
        return Path(os.environ["COMPANION_DATA"]).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "cnn-course"


def _md5(path: Path) -> str:
    h = hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _verify(raw: Path) -> list[str]:
    """Names of raw files that are missing, truncated or corrupt."""
    bad = []
    for name, (md5, size) in RAW_FILES.items():
        p = raw / name
        if not p.is_file() or p.stat().st_size != size or _md5(p) != md5:
            bad.append(name)
    return bad


def _from_local_gz(raw: Path, source: Path) -> None:
    for name in RAW_FILES:
        gz = source / f"{name}.gz"
        if not gz.is_file():
            return
    raw.mkdir(parents=True, exist_ok=True)
    for name in RAW_FILES:
        tmp = raw / f"{name}.part"
        with gzip.open(source / f"{name}.gz", "rb") as fin, open(tmp, "wb") as fout:
            shutil.copyfileobj(fin, fout)
        tmp.replace(raw / name)


def ensure_fashion_mnist(root: str | os.PathLike | None = None,
                         local_copy: str | os.PathLike | bool | None = None) -> Path:
    """Make sure the four raw Fashion-MNIST files exist and are intact; return the root.

    Order: files already in ``ROOT/FashionMNIST/raw``; else the official ``.gz`` files in
    ``local_copy`` (default: Debian's ``dataset-fashion-mnist`` folder; ``False``: none);
    else a torchvision download.
    A truncated or corrupt file is never used: it raises ``DataError`` with the fix.

    >>> ensure_fashion_mnist().name  # doctest: +SKIP
    'cnn-course'
    """
    root = data_root(root)
    raw = root / "FashionMNIST" / "raw"
    if not _verify(raw):
        return root
    if local_copy is None or local_copy is True:
        local_copy = DEBIAN_DIR
    if local_copy is not False:
        if not isinstance(local_copy, (str, os.PathLike)):
            raise TypeError(f"local_copy must be a folder path, None or False, got {type(local_copy).__name__}")
        _from_local_gz(raw, Path(local_copy))
        if not _verify(raw):
            return root
    try:
        import torchvision
        for name in RAW_FILES:  # let torchvision fetch fresh copies of everything
            (raw / name).unlink(missing_ok=True)
        torchvision.datasets.FashionMNIST(str(root), train=True, download=True)
        torchvision.datasets.FashionMNIST(str(root), train=False, download=True)
    except Exception as e:  # no network, server down, ...
        reason = f"the download failed ({type(e).__name__}: {e})"
    else:
        bad = _verify(raw)
        if not bad:
            return root
        reason = f"the downloaded files are damaged: {', '.join(bad)}"
    bad = _verify(raw)
    raise DataError(f"Fashion-MNIST is missing or damaged in {raw} ({', '.join(bad)}); {reason}. "
                    + HOW_TO_GET.format(raw=raw))


def load_fashion_mnist(root: str | os.PathLike | None = None, resize: int | None = None
                       ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """All of Fashion-MNIST as tensors: ``(X_train, y_train, X_test, y_test)``.

    Images are float32 in [0, 1] with shape (n, 1, 28, 28) (or ``resize``×``resize``),
    labels are int64. Loading once into tensors is about twice as fast per epoch as
    converting every image with ``ToTensor`` inside a ``DataLoader``.

    >>> X, y, Xt, yt = load_fashion_mnist()  # doctest: +SKIP
    >>> X.shape, Xt.shape  # doctest: +SKIP
    (torch.Size([60000, 1, 28, 28]), torch.Size([10000, 1, 28, 28]))
    """
    if resize is not None:
        resize = _check.integer(resize, "resize", minimum=1)
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


def epoch_order(n: int, generator: torch.Generator) -> torch.Tensor:
    """The order in which a shuffled epoch visits ``n`` examples (advances ``generator``).

    >>> epoch_order(5, torch.Generator().manual_seed(0)).tolist()
    [4, 0, 1, 3, 2]
    """
    return torch.randperm(_check.integer(n, "n", minimum=0), generator=generator)


class Batches:
    """Mini-batches over in-memory tensors; reshuffled every epoch from its own generator.

    >>> b = Batches(torch.zeros(10, 1, 2, 2), torch.zeros(10, dtype=torch.long), batch_size=4)
    >>> len(b), [len(y) for _, y in b]
    (3, [4, 4, 2])
    """

    def __init__(self, X: torch.Tensor, y: torch.Tensor, batch_size: int,
                 shuffle: bool = False, seed: int = 0):
        self.X = _check.tensor(X, "X")
        self.y = _check.labels(y, "y")
        if len(X) != len(y):
            raise ValueError(f"X and y must have the same length, got {len(X)} and {len(y)}")
        self.batch_size = _check.integer(batch_size, "batch_size", minimum=1)
        self.shuffle = shuffle
        self.generator = torch.Generator().manual_seed(_check.integer(seed, "seed", minimum=0))

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
