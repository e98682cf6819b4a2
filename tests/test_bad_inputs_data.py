"""Bad inputs and broken machines for ``companion.data``: every case a clear error or a correct
result (issue 10). The table format is in ``tests/bad_inputs.py``.

The world each case starts in (fixture ``env``): ``COMPANION_DATA`` names an empty folder under
the case's ``tmp_path``, the local copy (``COMPANION_LOCAL_COPY``) is absent, ``$XDG_CACHE_HOME``
is under ``tmp_path``, and torchvision's mirror is a local port that refuses connections:
nothing reaches the network or the user's data. Setups add what a case needs.

Faults the file system won't produce on demand are injected at ``companion.data``'s own I/O:
- a full disk: ``open`` in ``companion.data`` gives files whose ``write`` fails with ENOSPC once
  1 MiB is written (as a real disk does, mid-file);
- a read-only or unreadable folder: a real ``chmod`` where file modes bind (a normal user). Root
  ignores file modes, so there ``open`` and ``os.mkdir`` fail with EACCES for paths inside.
"""
from __future__ import annotations

import builtins
import errno
import gzip
import hashlib
import http.server
import os
import shutil
import socket
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import torch
import torchvision

from tests.helpers.bad_inputs import Case, Check, Lazy, count, params, run
from companion import data
from companion.data import (Batches, DataError, RAW_FILES, data_root, ensure_fashion_mnist, epoch_order,
                            fashion_mnist_batches, load_fashion_mnist)

_PROBE = {}


def chmod_binds() -> bool:
    """Whether file modes stop this process (not so for root with CAP_DAC_OVERRIDE)."""
    if not _PROBE:
        import tempfile
        with tempfile.TemporaryDirectory() as top:
            os.chmod(top, 0o555)
            try:
                open(os.path.join(top, "probe"), "x").close()
                _PROBE["binds"] = False
            except PermissionError:
                _PROBE["binds"] = True
            finally:
                os.chmod(top, 0o755)
    return _PROBE["binds"]


# --- the official files, once per session ----------------------------------------------------

@dataclass
class Official:
    raw: Path
    gz_dir: Path

    def gz(self, name: str) -> Path:
        """The official file ``name`` gzipped (made on first use)."""
        path = self.gz_dir / f"{name}.gz"
        if not path.exists():
            with open(self.raw / name, "rb") as fin, gzip.open(path, "wb", compresslevel=1) as fout:
                shutil.copyfileobj(fin, fout)
        return path


@pytest.fixture(scope="session")
def official(tmp_path_factory):
    """The intact raw files of the developer's data folder, or None where there are none."""
    try:
        raw = ensure_fashion_mnist() / "FashionMNIST" / "raw"
    except DataError:
        return None
    return Official(raw, tmp_path_factory.mktemp("official-gz"))


# --- the world a case runs in ------------------------------------------------------------------

def _tree(top: Path) -> dict[str, tuple]:
    out = {}
    for dirpath, dirnames, filenames in os.walk(top):
        for name in dirnames:
            out[os.path.relpath(os.path.join(dirpath, name), top)] = ("dir",)
        for name in filenames:
            st = os.lstat(os.path.join(dirpath, name))
            out[os.path.relpath(os.path.join(dirpath, name), top)] = (st.st_ino, st.st_mtime_ns, st.st_size)
    return out


_MD5 = {}  # (inode, mtime, size) -> md5: most cases see the same files several times


def _intact(path: Path) -> bool:
    md5, size = RAW_FILES[path.name]
    if not path.is_file() or path.stat().st_size != size:
        return False
    st = path.stat()
    key = (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)
    if key not in _MD5:
        _MD5[key] = hashlib.md5(path.read_bytes()).hexdigest()
    return _MD5[key] == md5


class Env:
    def __init__(self, tmp_path: Path, monkeypatch, official: Official | None):
        self.tmp_path, self.monkeypatch, self._official = tmp_path, monkeypatch, official
        self.root = tmp_path / "data"  # COMPANION_DATA
        self.raw = self.root / "FashionMNIST" / "raw"
        self.local = tmp_path / "local-copy"  # COMPANION_LOCAL_COPY
        self.cleanups: list = []
        self.snapshot()

    @property
    def official(self) -> Official:
        if self._official is None:
            pytest.skip("needs Fashion-MNIST (apt-get install dataset-fashion-mnist, or a network)")
        return self._official

    def snapshot(self) -> None:
        """Remember every file and folder, and which raw files are intact."""
        self.before = _tree(self.tmp_path)
        self.intact = {name for name in RAW_FILES if _intact(self.raw / name)}

    def mirrors(self, *urls: str) -> None:
        self.monkeypatch.setattr(torchvision.datasets.FashionMNIST, "mirrors", list(urls))

    def close(self) -> None:
        for cleanup in reversed(self.cleanups):
            cleanup()


@pytest.fixture
def env(tmp_path, monkeypatch, official):
    monkeypatch.setenv("COMPANION_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("COMPANION_LOCAL_COPY", str(tmp_path / "local-copy"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    for var in ("no_proxy", "NO_PROXY"):  # the local servers below are reached directly
        monkeypatch.setenv(var, "127.0.0.1,localhost")
    world = Env(tmp_path, monkeypatch, official)
    world.mirrors(refused(world))
    yield world
    world.close()


def steps(*setups):
    """Run the setups in order, remember the world (for ``nothing_lost``), then inject the faults."""
    def setup(env):
        for step in setups:
            if not getattr(step, "is_fault", False):
                step(env)
        env.snapshot()
        for step in setups:
            if getattr(step, "is_fault", False):
                step(env)
    return setup


# --- setups: the data folder and the local copy ------------------------------------------------

def raw_files(missing=(), damage=None):
    """The official raw files in the data folder, but ``missing`` and ``damage`` ({name: how})."""
    def setup(env):
        env.raw.mkdir(parents=True, exist_ok=True)
        for name in RAW_FILES:
            if name in missing:
                continue
            how = (damage or {}).get(name)
            if how == "folder":
                (env.raw / name).mkdir()
                continue
            shutil.copyfile(env.official.raw / name, env.raw / name)
            content = bytearray((env.raw / name).read_bytes()) if how else None
            if how == "truncate":
                (env.raw / name).write_bytes(content[:-100])
            elif how == "flip":  # same size: only the checksum sees it
                content[len(content) // 2] ^= 0xFF
                (env.raw / name).write_bytes(content)
    return setup


def local_copy(names=tuple(RAW_FILES), damage=None):
    """The local copy (COMPANION_LOCAL_COPY) with the official ``.gz`` files ``names``, but
    ``damage`` ({name: "truncate" | "corrupt" | "not-gzip" | "wrong-content"})."""
    def setup(env):
        env.local.mkdir(exist_ok=True)
        for name in names:
            how, dest = (damage or {}).get(name), env.local / f"{name}.gz"
            if how is None:
                dest.symlink_to(env.official.gz(name))
                continue
            good = env.official.gz(name).read_bytes()
            if how == "truncate":
                dest.write_bytes(good[: len(good) // 2])
            elif how == "corrupt":
                bad = bytearray(good)
                for k in range(len(bad) // 3, len(bad) // 3 + 64):
                    bad[k] ^= 0x55
                dest.write_bytes(bad)
            elif how == "not-gzip":
                dest.write_bytes(b"<html>404 Not Found</html>\n")
            elif how == "wrong-content":  # a good gzip of the right size, the wrong bytes
                dest.write_bytes(gzip.compress(bytes(RAW_FILES[name][1]), compresslevel=1))
    return setup


def set_env(name, value):
    def setup(env):
        if value is None:
            env.monkeypatch.delenv(name, raising=False)
        else:
            env.monkeypatch.setenv(name, value(env) if callable(value) else value)
    return setup


def a_file(where):
    """A plain file where ``where(env)`` expects a folder."""
    def setup(env):
        path = where(env)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("not a folder\n")
    return setup


def stale_part(env):
    """A ``.part`` file this code did not create (a user's, or an older version's)."""
    (env.raw / "train-images-idx3-ubyte.part").write_bytes(b"someone else's\n")


def no_debian(env):
    env.monkeypatch.setattr(data, "DEBIAN_DIR", env.tmp_path / "debian")


def timeout(seconds):
    def setup(env):
        env.monkeypatch.setattr(data, "DOWNLOAD_TIMEOUT", seconds)
    return setup


# --- setups: faults ------------------------------------------------------------------------------

class _Filling:
    """A file on a disk with ``room`` bytes left: a write beyond it fails with ENOSPC."""

    def __init__(self, f, room: int, error=None):
        self.f, self.room, self.error = f, room, error

    def write(self, b) -> int:
        if self.room <= 0:
            raise self.error or OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), self.f.name)
        n = self.f.write(bytes(memoryview(b)[: self.room]))
        self.room -= n
        return n

    def close(self):
        self.f.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.f.close()


def _inside(path, folder: Path) -> bool:
    path = Path(os.path.abspath(os.fspath(path)))
    return path == folder or folder in path.parents


def fault(kind, where=lambda env: env.raw):
    """Make the folder (or file) ``where(env)`` fail: "full" (ENOSPC after 1 MiB), "full-at-create",
    "interrupt" (Ctrl-C after 1 MiB), "read-only" or "unreadable"."""
    def setup(env):
        target = Path(os.path.abspath(where(env)))
        if kind in ("read-only", "unreadable") and chmod_binds():
            os.chmod(target, 0o555 if kind == "read-only" else 0o000)
            env.cleanups.append(lambda: os.chmod(target, 0o755 if kind == "read-only" else 0o644))
            return
        real_open, real_mkdir = builtins.open, os.mkdir

        def fake_open(file, mode="r", *args, **kwargs):
            writing = any(c in mode for c in "wxa+")
            if isinstance(file, (str, os.PathLike)) and _inside(file, target):
                deny = PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(file))
                if kind == "full" and writing:
                    return _Filling(real_open(file, mode, *args, **kwargs), 1 << 20)
                if kind == "interrupt" and writing:
                    return _Filling(real_open(file, mode, *args, **kwargs), 1 << 20,
                                    KeyboardInterrupt("interrupted by the user"))
                if kind == "full-at-create" and writing:
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), os.fspath(file))
                if (kind == "read-only" and writing) or (kind == "unreadable" and not writing):
                    raise deny
            return real_open(file, mode, *args, **kwargs)

        def fake_mkdir(path, mode=0o777, *args, **kwargs):
            if _inside(path, target) and not os.path.exists(path):
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
            return real_mkdir(path, mode, *args, **kwargs)

        env.monkeypatch.setattr(data, "open", fake_open, raising=False)
        if kind == "read-only":
            env.monkeypatch.setattr(os, "mkdir", fake_mkdir)
    setup.is_fault = True
    return setup


# --- setups: mirrors -----------------------------------------------------------------------------

def _socket(env) -> socket.socket:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    env.cleanups.append(s.close)
    return s


def _url(s: socket.socket) -> str:
    return f"http://127.0.0.1:{s.getsockname()[1]}/"


def refused(env) -> str:
    """A port that is bound but not listening: connections are refused at once."""
    return _url(_socket(env))


def silent(env) -> str:
    """A server that accepts connections (the kernel does) and never answers."""
    s = _socket(env)
    s.listen(16)
    return _url(s)


def stalling(env) -> str:
    """A server that sends the headers and two bytes, then nothing."""
    s = _socket(env)
    s.listen(16)
    held = []

    def serve():
        while True:
            try:
                conn, _ = s.accept()
            except OSError:
                return
            held.append(conn)
            conn.recv(65536)
            conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 1000000\r\n\r\n\x1f\x8b")

    threading.Thread(target=serve, daemon=True).start()
    env.cleanups.append(lambda: [c.close() for c in held])
    return _url(s)


class _Files(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        path = self.server.folder / self.path.lstrip("/")
        if not path.is_file():
            self.send_error(404)
            return
        body = path.read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[: len(body) // 2] if self.server.cut else body)

    def log_message(self, *args):
        pass


def serving(folder, cut=False):
    """An HTTP server of the ``.gz`` files in ``folder(env)``; ``cut``: each answer stops halfway."""
    def start(env) -> str:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Files)
        server.folder, server.cut = folder(env), cut
        threading.Thread(target=server.serve_forever, daemon=True).start()
        env.cleanups.append(lambda: (server.shutdown(), server.server_close()))
        return f"http://127.0.0.1:{server.server_address[1]}/"
    return start


def official_gz(env) -> Path:
    for name in RAW_FILES:
        env.official.gz(name)
    return env.official.gz_dir


def mirrors(*servers):
    """torchvision's mirrors, in order: each a server started for the case."""
    def setup(env):
        env.mirrors(*(server(env) for server in servers))
    return setup


# --- what must hold afterwards ---------------------------------------------------------------------

def nothing_lost(env, outcome) -> None:
    """Nothing deleted; nothing changed but damaged raw files (and those only into intact ones);
    nothing new but data folders and intact raw files in them; no ``.part`` left behind."""
    now = _tree(env.tmp_path)

    def raw_file(rel):
        return Path(rel).parent.parts[-2:] == ("FashionMNIST", "raw") and Path(rel).name in RAW_FILES

    for rel, sig in env.before.items():
        assert rel in now, f"{rel} was deleted"
        if now[rel] != sig:
            assert raw_file(rel) and not (rel.startswith("data/") and Path(rel).name in env.intact), f"{rel} was changed"
            assert _intact(env.tmp_path / rel), f"{rel} was replaced by a damaged file"
    new = now.keys() - env.before.keys()
    for rel in new:
        if now[rel] == ("dir",):
            assert (Path(rel).name in ("FashionMNIST", "raw") or f"{rel}/FashionMNIST" in new), f"folder {rel} appeared"
        else:
            assert raw_file(rel) and _intact(env.tmp_path / rel), f"{rel} appeared"


def nothing_created(env, outcome) -> None:
    """Not a file or folder made: the arguments were refused before any data was looked at."""
    assert _tree(env.tmp_path) == env.before


def intact_in(where):
    """The call returned the data folder and its four raw files are intact."""
    def check(env):
        root = where(env)
        return Check(lambda r: r == root and all(_intact(root / "FashionMNIST" / "raw" / n) for n in RAW_FILES),
                     f"{root} with four intact raw files")
    return Lazy(check)


DATA = Lazy(lambda env: env.root)
GEN = Lazy(lambda env: torch.Generator().manual_seed(0))
X10, Y10 = torch.arange(10.0).reshape(10, 1, 1, 1), torch.arange(10)


def shapes(*want):
    return Check(lambda r: tuple(tuple(t.shape) for t in r) == want, f"shapes {want}")


def order(seed):
    """The label order of a shuffled epoch over Y10, as ``seed`` gives it."""
    want = [y.tolist() for _, y in Batches(X10, Y10, 4, shuffle=True, seed=seed)]
    return Check(lambda b: [y.tolist() for _, y in b] == want, f"the epoch order of seed {seed}")


def filled(env):
    return intact_in(lambda e: e.root).make(env)


# --- the table -------------------------------------------------------------------------------------

ensure = ensure_fashion_mnist
T10K_LABELS, TRAIN_IMAGES = "t10k-labels-idx1-ubyte", "train-images-idx3-ubyte"

CASES = [
    # data loss: a failed repair or download never deletes intact files, no .part left behind
    Case("data loss", ensure, kwargs={"local_copy": False}, id="truncated file, download fails",
         setup=steps(raw_files(damage={T10K_LABELS: "truncate"})), after=nothing_lost,
         raises=DataError, match=rf"{T10K_LABELS}.*Connection refused.*apt-get install dataset-fashion-mnist"),
    Case("data loss", ensure, id="truncated file, truncated local .gz, download fails",
         setup=steps(raw_files(damage={"train-labels-idx1-ubyte": "truncate"}),
                     local_copy(damage={"train-labels-idx1-ubyte": "truncate"})),
         after=nothing_lost, raises=DataError, match=r"local-copy/train-labels-idx1-ubyte\.gz is unusable: it is truncated"),
    Case("data loss", ensure, id="one missing file, repaired from the local copy",
         setup=steps(raw_files(missing=[TRAIN_IMAGES]), local_copy()), after=nothing_lost, expect=Lazy(filled)),
    Case("data loss", ensure, id="checksum-damaged file, disk fills up during the repair",
         setup=steps(raw_files(damage={TRAIN_IMAGES: "flip"}), local_copy(), fault("full")),
         after=nothing_lost, raises=DataError, match=r"Cannot write .*train-images-idx3-ubyte\.\w+\.part.*the disk is full"),
    Case("data loss", ensure, id="missing file, the mirror answers 404",
         setup=steps(raw_files(missing=[T10K_LABELS]), local_copy(names=(), damage={}),
                     mirrors(serving(lambda env: env.local))),
         after=nothing_lost, raises=DataError, match=r"download of http://127\.0\.0\.1:\d+/t10k-labels-idx1-ubyte\.gz failed"),
    Case("data loss", ensure, id="missing file, the mirror sends a wrong-content gzip",
         setup=steps(raw_files(missing=[T10K_LABELS]), local_copy(names=[T10K_LABELS], damage={T10K_LABELS: "wrong-content"}),
                     set_env("COMPANION_LOCAL_COPY", lambda env: str(env.tmp_path / "none")),
                     mirrors(serving(lambda env: env.local))),
         after=nothing_lost, raises=DataError, match=r"t10k-labels-idx1-ubyte\.gz failed \(it does not hold the official"),
    Case("data loss", ensure, id="missing file, the download stops halfway",
         setup=steps(raw_files(missing=[TRAIN_IMAGES]), mirrors(serving(official_gz, cut=True))),
         after=nothing_lost, raises=DataError, match=r"train-images-idx3-ubyte\.gz failed \(.*(IncompleteRead|truncated)"),
    Case("data loss", ensure, id="a .part file this code did not create is kept",
         setup=steps(raw_files(missing=[TRAIN_IMAGES]), stale_part, local_copy()),
         after=nothing_lost, expect=Lazy(filled)),
    Case("data loss", ensure, id="all four missing, downloaded from a mirror",
         setup=steps(mirrors(serving(official_gz))), after=nothing_lost, expect=Lazy(filled)),
    Case("data loss", ensure, id="Ctrl-C during the repair",
         setup=steps(raw_files(damage={TRAIN_IMAGES: "truncate"}), local_copy(), fault("interrupt")),
         after=nothing_lost, raises=KeyboardInterrupt, match="interrupted by the user"),
    Case("data loss", ensure, id="two damaged files, only one repairable",
         setup=steps(raw_files(damage={TRAIN_IMAGES: "truncate", T10K_LABELS: "flip"}),
                     local_copy(names=[T10K_LABELS])),
         after=nothing_lost, raises=DataError,
         match=rf"raw \({TRAIN_IMAGES}; .*has no {TRAIN_IMAGES}\.gz"),

    # empty root: root="" and COMPANION_DATA="" both mean "not set"
    Case("empty root", data_root, ("",), expect=DATA, id="root='' is root=None"),
    Case("empty root", data_root, ("",), setup=set_env("COMPANION_DATA", ""),
         expect=Lazy(lambda env: env.tmp_path / "cache" / "cnn-course"), id="root='' and COMPANION_DATA=''"),
    Case("empty root", data_root, (None,), setup=set_env("COMPANION_DATA", ""),
         expect=Lazy(lambda env: env.tmp_path / "cache" / "cnn-course"), id="root=None and COMPANION_DATA=''"),
    Case("empty root", data_root, ("",), setup=set_env("COMPANION_DATA", None),
         expect=Lazy(lambda env: env.tmp_path / "cache" / "cnn-course"), id="root='' and no COMPANION_DATA"),
    Case("empty root", ensure, ("",), setup=steps(raw_files()), after=nothing_lost, expect=Lazy(filled),
         id="ensure(root='') uses COMPANION_DATA"),
    Case("empty root", ensure, ("",), {"local_copy": ""}, setup=steps(local_copy()), after=nothing_lost,
         expect=Lazy(filled), id="ensure(root='', local_copy='') uses both variables"),

    # timeouts: a silent network ends in a DataError within 30 s
    Case("timeouts", ensure, setup=mirrors(silent), seconds=30, raises=DataError, match=r"timed out",
         id="a silent server, the default timeout"),
    Case("timeouts", ensure, setup=steps(timeout(1), mirrors(silent)), seconds=5, raises=DataError,
         match=r"train-images-idx3-ubyte\.gz failed \(.*timed out", id="a silent server, 1 s timeout"),
    Case("timeouts", ensure, setup=steps(timeout(1), mirrors(stalling)), seconds=5, raises=DataError,
         match=r"timed out", id="a server that stalls mid-file, 1 s timeout"),
    Case("timeouts", ensure, setup=steps(timeout(1), mirrors(silent, silent)), seconds=4.5, raises=DataError,
         match=r"(timed out.*){2}", id="two silent mirrors: one timeout each, not one per file"),
    Case("timeouts", ensure, seconds=5, raises=DataError, match=r"Connection refused", id="a refused connection"),
    Case("timeouts", ensure, setup=steps(timeout(1), mirrors(silent, serving(official_gz))), seconds=15,
         after=nothing_lost, expect=Lazy(filled), id="a silent mirror, then a good one"),

    # filesystem faults: a DataError naming the path, what is wrong and the fix
    Case("filesystem faults", ensure, id="a folder where a raw file should be",
         setup=steps(raw_files(damage={TRAIN_IMAGES: "folder"}), local_copy()), after=nothing_lost,
         raises=DataError, match=rf"raw/{TRAIN_IMAGES} is a folder, not the raw file .*will not delete it\. Fix: move it away"),
    Case("filesystem faults", ensure, id="a read-only data folder with a missing file",
         setup=steps(raw_files(missing=[T10K_LABELS]), local_copy(), fault("read-only")), after=nothing_lost,
         raises=DataError, match=r"Cannot write in .*/raw \(the data folder is COMPANION_DATA=.*\): the folder is read-only.*chmod u\+w"),
    Case("filesystem faults", ensure, id="a read-only empty data folder",
         setup=steps(lambda env: env.root.mkdir(), local_copy(), fault("read-only", lambda env: env.root)),
         after=nothing_lost, raises=DataError, match=r"Cannot create .*/FashionMNIST/raw .*read-only"),
    Case("filesystem faults", ensure, id="a read-only data folder with intact files is fine",
         setup=steps(raw_files(), fault("read-only")), after=nothing_lost, expect=Lazy(filled)),
    Case("filesystem faults", ensure, (Lazy(lambda env: env.tmp_path / "a-file"),), id="root is a file",
         setup=steps(a_file(lambda env: env.tmp_path / "a-file")), after=nothing_lost, raises=DataError,
         match=r"a-file is a file, not a folder \(the data folder is root='.*a-file'\)\. Fix: pass another folder as root"),
    Case("filesystem faults", ensure, id="COMPANION_DATA is a file",
         setup=steps(a_file(lambda env: env.root)), after=nothing_lost, raises=DataError,
         match=r"data is a file, not a folder \(the data folder is COMPANION_DATA=.*set COMPANION_DATA to another folder"),
    Case("filesystem faults", ensure, (Lazy(lambda env: env.tmp_path / "a-file" / "sub"),), id="root inside a file",
         setup=steps(a_file(lambda env: env.tmp_path / "a-file")), after=nothing_lost, raises=DataError,
         match=r"a-file is a file, not a folder \(the data folder is root='.*a-file/sub'\)\. Fix: pass another folder"),
    Case("filesystem faults", ensure, id="FashionMNIST is a file",
         setup=steps(a_file(lambda env: env.root / "FashionMNIST")), after=nothing_lost, raises=DataError,
         match=r"data/FashionMNIST is a file, not a folder .*move that file away"),
    Case("filesystem faults", ensure, id="raw is a file",
         setup=steps(a_file(lambda env: env.raw)), after=nothing_lost, raises=DataError,
         match=r"FashionMNIST/raw is a file, not a folder"),
    Case("filesystem faults", ensure, id="a truncated local .gz",
         setup=steps(local_copy(damage={T10K_LABELS: "truncate"})), after=nothing_lost, raises=DataError,
         match=rf"local-copy/{T10K_LABELS}\.gz is unusable: it is truncated.*replace it with an intact copy"),
    Case("filesystem faults", ensure, id="a corrupt local .gz",
         setup=steps(local_copy(damage={TRAIN_IMAGES: "corrupt"})), after=nothing_lost, raises=DataError,
         match=rf"local-copy/{TRAIN_IMAGES}\.gz is unusable: (it is corrupt|it does not hold the official)"),
    Case("filesystem faults", ensure, id="a local .gz that is not gzip",
         setup=steps(local_copy(damage={TRAIN_IMAGES: "not-gzip"})), after=nothing_lost, raises=DataError,
         match=rf"{TRAIN_IMAGES}\.gz is unusable: it is corrupt \[BadGzipFile"),
    Case("filesystem faults", ensure, id="a local .gz with the wrong content",
         setup=steps(local_copy(damage={T10K_LABELS: "wrong-content"})), after=nothing_lost, raises=DataError,
         match=rf"{T10K_LABELS}\.gz is unusable: it does not hold the official {T10K_LABELS}"),
    Case("filesystem faults", ensure, id="the disk fills up",
         setup=steps(local_copy(), fault("full")), after=nothing_lost, raises=DataError,
         match=r"Cannot write .*\.part \(the data folder is .*\): the disk is full .*Fix: free 55 MB on that disk"),
    Case("filesystem faults", ensure, id="the disk is full before the first byte",
         setup=steps(local_copy(), fault("full-at-create")), after=nothing_lost, raises=DataError,
         match=r"Cannot write in .*/raw .*the disk is full"),
    Case("filesystem faults", ensure, id="an unreadable raw file",
         setup=steps(raw_files(), fault("unreadable", lambda env: env.raw / TRAIN_IMAGES)), after=nothing_lost,
         raises=DataError, match=rf"Cannot read .*/{TRAIN_IMAGES} .*not readable for you.*chmod u\+r"),
    Case("filesystem faults", ensure, id="a local copy that is a file",
         setup=steps(a_file(lambda env: env.local)), after=nothing_lost, raises=DataError,
         match=r"the local copy .*local-copy \(COMPANION_LOCAL_COPY=.*\) is not a folder"),
    Case("filesystem faults", load_fashion_mnist, (Lazy(lambda env: env.tmp_path / "a-file"),),
         setup=steps(a_file(lambda env: env.tmp_path / "a-file")), after=nothing_lost, raises=DataError,
         match=r"a-file is a file, not a folder"),
    Case("filesystem faults", fashion_mnist_batches, (64, Lazy(lambda env: env.tmp_path / "a-file")),
         setup=steps(a_file(lambda env: env.tmp_path / "a-file")), after=nothing_lost, raises=DataError,
         match=r"a-file is a file, not a folder"),

    # arguments before data: with no data anywhere, a bad argument is still its own error
    Case("arguments before data", fashion_mnist_batches, (0,), after=nothing_created,
         raises=ValueError, match=r"batch_size must be >= 1, got 0"),
    Case("arguments before data", fashion_mnist_batches, (2.5,), after=nothing_created,
         raises=TypeError, match=r"batch_size must be an int"),
    Case("arguments before data", fashion_mnist_batches, (True,), after=nothing_created,
         raises=TypeError, match=r"batch_size must be an int, got bool"),
    Case("arguments before data", fashion_mnist_batches, kwargs={"seed": -1}, after=nothing_created,
         raises=ValueError, match=r"seed must be >= 0"),
    Case("arguments before data", fashion_mnist_batches, kwargs={"seed": 2**64}, after=nothing_created,
         raises=ValueError, match=r"seed must be < 2\*\*64"),
    Case("arguments before data", fashion_mnist_batches, kwargs={"seed": "0"}, after=nothing_created,
         raises=TypeError, match=r"seed must be an int, got str"),
    Case("arguments before data", fashion_mnist_batches, kwargs={"resize": 0}, after=nothing_created,
         raises=ValueError, match=r"resize must be >= 1"),
    Case("arguments before data", fashion_mnist_batches, kwargs={"root": 42}, after=nothing_created,
         raises=TypeError, match=r"root must be a folder path .*got int"),
    Case("arguments before data", load_fashion_mnist, kwargs={"resize": 0}, after=nothing_created,
         raises=ValueError, match=r"resize must be >= 1, got 0"),
    Case("arguments before data", load_fashion_mnist, kwargs={"resize": 14.0}, after=nothing_created,
         raises=TypeError, match=r"resize must be an int, got float"),
    Case("arguments before data", load_fashion_mnist, kwargs={"resize": "14"}, after=nothing_created,
         raises=TypeError, match=r"resize must be an int, got str"),
    Case("arguments before data", load_fashion_mnist, (3.5,), after=nothing_created,
         raises=TypeError, match=r"root must be a folder path .*got float"),
    Case("arguments before data", load_fashion_mnist, (b"/tmp",), after=nothing_created,
         raises=TypeError, match=r"root must be a folder path .*got bytes"),
    Case("arguments before data", load_fashion_mnist, ("a\0b",), after=nothing_created,
         raises=ValueError, match=r"root must not contain a NUL character"),
    Case("arguments before data", ensure, kwargs={"local_copy": 3}, after=nothing_created,
         raises=TypeError, match=r"local_copy must be a folder path .*None, True or False, got int"),
    Case("arguments before data", ensure, kwargs={"local_copy": 3}, setup=steps(raw_files()), after=nothing_lost,
         raises=TypeError, match=r"local_copy must be", id="local_copy=3 with intact data"),
    Case("arguments before data", ensure, kwargs={"local_copy": "x\0"}, after=nothing_created,
         raises=ValueError, match=r"local_copy must not contain a NUL character"),
    Case("arguments before data", ensure, (["a"],), after=nothing_created,
         raises=TypeError, match=r"root must be a folder path .*got list"),

    # sizes: refused before anything is allocated (companion._check.MEMORY_BUDGET = 2 GiB)
    Case("sizes", load_fashion_mnist, kwargs={"resize": 10**5}, after=nothing_created, raises=ValueError,
         match=r"resize=100000 \(70,000 float32 images of 100000x100000 pixels\) would allocate .* GiB, "
               r"more than the 2 GiB .*MEMORY_BUDGET.*largest resize within it is 87"),
    Case("sizes", load_fashion_mnist, kwargs={"resize": 88}, after=nothing_created, raises=ValueError,
         match=r"resize=88 .*would allocate 2\.0 GiB"),
    Case("sizes", fashion_mnist_batches, kwargs={"resize": 224}, after=nothing_created, raises=ValueError,
         match=r"resize=224 "),
    Case("sizes", epoch_order, (10**12, GEN), raises=ValueError, match=r"n=1000000000000 .*would allocate"),
    Case("sizes", epoch_order, (2**28 + 1, GEN), raises=ValueError, match=r"n=268435457 .*MEMORY_BUDGET"),
    Case("sizes", epoch_order, (2**20, GEN), expect=Check(lambda r: torch.equal(r.sort().values, torch.arange(2**20)),
                                                          "a permutation of 0..2**20-1")),
    Case("sizes", epoch_order, (0, GEN), expect=torch.zeros(0, dtype=torch.int64)),
    Case("sizes", Batches, (X10, Y10, 100), expect=Check(lambda b: [len(y) for _, y in b] == [10], "one batch of 10")),
    Case("sizes", load_fashion_mnist, kwargs={"resize": 14}, setup=steps(raw_files()),
         expect=shapes((60000, 1, 14, 14), (60000,), (10000, 1, 14, 14), (10000,))),

    # integer-likes: NumPy integers wherever an int is; bool refused
    Case("integer-likes", Batches, (X10, Y10, np.int64(4)),
         expect=Check(lambda b: len(b) == 3 and [len(y) for _, y in b] == [4, 4, 2], "batches of 4, 4, 2")),
    Case("integer-likes", Batches, (X10, Y10, np.uint8(4)),
         expect=Check(lambda b: len(b) == 3, "3 batches")),
    Case("integer-likes", Batches, (X10, Y10, 4), {"shuffle": True, "seed": np.int64(7)},
         expect=order(7)),
    Case("integer-likes", epoch_order, (np.int64(5), GEN),
         expect=torch.tensor([4, 0, 1, 3, 2])),
    Case("integer-likes", epoch_order, (np.int32(5), GEN),
         expect=torch.tensor([4, 0, 1, 3, 2])),
    Case("integer-likes", load_fashion_mnist, kwargs={"resize": np.int64(14)}, setup=steps(raw_files()),
         expect=shapes((60000, 1, 14, 14), (60000,), (10000, 1, 14, 14), (10000,))),
    Case("integer-likes", fashion_mnist_batches, (np.int64(256),), {"seed": np.uint8(0)}, setup=steps(raw_files()),
         expect=Check(lambda r: (len(r[0]), len(r[1])) == (235, 40), "235 and 40 batches")),
    Case("integer-likes", Batches, (X10, Y10, 4), {"seed": np.int64(-1)},
         raises=ValueError, match=r"seed must be >= 0, got -1"),
    Case("integer-likes", load_fashion_mnist, kwargs={"resize": np.int64(10**5)}, after=nothing_created,
         raises=ValueError, match=r"resize=100000 .*would allocate"),
    Case("integer-likes", Batches, (X10, Y10, True), raises=TypeError, match=r"batch_size must be an int, got bool"),
    Case("integer-likes", Batches, (X10, Y10, np.bool_(True)), raises=TypeError, match=r"batch_size must be an int"),
    Case("integer-likes", Batches, (X10, Y10, np.float64(4.0)), raises=TypeError, match=r"batch_size must be an int"),
    Case("integer-likes", epoch_order, (True, GEN), raises=TypeError, match=r"n must be an int, got bool"),
    Case("integer-likes", load_fashion_mnist, kwargs={"resize": True}, after=nothing_created,
         raises=TypeError, match=r"resize must be an int, got bool"),
    Case("integer-likes", fashion_mnist_batches, kwargs={"seed": False}, after=nothing_created,
         raises=TypeError, match=r"seed must be an int, got bool"),

    # messages name what the user passed
    Case("messages", ensure, (Lazy(lambda env: env.tmp_path / "x"),), after=nothing_lost, raises=DataError,
         match=r"the data folder is root='.*/x'\)", id="missing data names root"),
    Case("messages", ensure, after=nothing_lost, raises=DataError, match=r"the data folder is COMPANION_DATA='.*/data'\)",
         id="missing data names COMPANION_DATA"),
    Case("messages", ensure, kwargs={"local_copy": Lazy(lambda env: env.tmp_path / "nowhere")}, after=nothing_lost,
         raises=DataError, match=r"no local copy in .*/nowhere \(local_copy='.*/nowhere'\)", id="names local_copy"),
    Case("messages", ensure, after=nothing_lost, raises=DataError,
         match=r"no local copy in .*/local-copy \(COMPANION_LOCAL_COPY='.*/local-copy'\)", id="names COMPANION_LOCAL_COPY"),
    Case("messages", ensure, setup=steps(local_copy(names=[TRAIN_IMAGES])), after=nothing_lost, raises=DataError,
         match=rf"the local copy .*local-copy \(COMPANION_LOCAL_COPY=.*\) has no {T10K_LABELS}\.gz",
         id="names the .gz the local copy lacks"),
    Case("messages", ensure, setup=steps(set_env("COMPANION_LOCAL_COPY", None), no_debian), after=nothing_lost,
         raises=DataError, match=r"no local copy in .*/debian \(Debian's dataset-fashion-mnist folder\)",
         id="no COMPANION_LOCAL_COPY: Debian's folder"),
    Case("messages", Batches, ([1.0], torch.zeros(1, dtype=torch.long), 2), raises=TypeError, match=r"^X must be a torch\.Tensor"),
    Case("messages", Batches, (X10, Y10.float(), 2), raises=TypeError, match=r"^y must "),
    Case("messages", Batches, (X10, Y10[:3], 2), raises=ValueError, match=r"X and y must have the same length, got 10 and 3"),
    Case("messages", Batches, (X10, Y10, 2), {"shuffle": "yes"}, raises=TypeError, match=r"shuffle must be a bool, got str"),
    Case("messages", Batches, (X10, Y10, 2), {"shuffle": 1}, raises=TypeError, match=r"shuffle must be a bool, got int"),
    Case("messages", Batches, (torch.tensor(1.0), Y10[:1], 2), raises=ValueError, match=r"X must hold one example per row"),
    Case("messages", Batches, (X10, Y10, 2), {"seed": 2**64}, raises=ValueError, match=r"seed must be < 2\*\*64"),
    Case("messages", Batches, (X10, Y10, 0), raises=ValueError, match=r"batch_size must be >= 1, got 0"),
    Case("messages", Batches, (torch.zeros(0, 1), torch.zeros(0, dtype=torch.long), 2), raises=ValueError,
         match=r"X must not be empty"),
    Case("messages", Batches, (torch.zeros(10, 1, dtype=torch.uint8), Y10, 2), raises=TypeError,
         match=r"X must have a floating-point dtype"),
    Case("messages", epoch_order, (5, "gen"), raises=TypeError, match=r"generator must be a torch\.Generator, got str"),
    Case("messages", epoch_order, (5, None), raises=TypeError, match=r"generator must be a torch\.Generator, got NoneType"),
    Case("messages", epoch_order, (-1, GEN), raises=ValueError, match=r"n must be >= 0, got -1"),
    Case("messages", data_root, (42,), raises=TypeError, match=r"root must be a folder path .*got int"),
]


@pytest.mark.parametrize("case", params(CASES))
def test_case(case, env):
    run(case, env)


def test_every_class_of_the_data_module_is_covered():
    assert set(count(CASES)) == {"data loss", "empty root", "timeouts", "filesystem faults",
                                 "arguments before data", "sizes", "integer-likes", "messages"}, count(CASES)


def test_a_silent_network_costs_at_most_30_s_whatever_the_mirrors():
    """Each mirror costs at most a connect and a read timeout; a dead mirror is not tried again."""
    assert 2 * data.DOWNLOAD_TIMEOUT * len(torchvision.datasets.FashionMNIST.mirrors) <= 30
