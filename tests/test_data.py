"""Fashion-MNIST: offline first, damaged files never used, one clear message when missing.
(Bad inputs and broken machines, case by case: tests/test_bad_inputs_data.py.)"""
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import torchvision

from companion import data
from companion.data import Batches, DataError, data_root, ensure_fashion_mnist, load_fashion_mnist

HAVE_LOCAL = all((data.DEBIAN_DIR / f"{n}.gz").is_file() for n in data.RAW_FILES)
needs_local = pytest.mark.skipif(not HAVE_LOCAL and not os.environ.get("CI"),
                                 reason="needs Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist)")


def test_data_root_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv("COMPANION_DATA", str(tmp_path / "env"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert data_root(tmp_path / "arg") == tmp_path / "arg"
    assert data_root() == tmp_path / "env"
    monkeypatch.delenv("COMPANION_DATA")
    assert data_root() == tmp_path / "xdg" / "cnn-course"
    with pytest.raises(TypeError, match="root"):
        data_root(42)


def test_default_root_is_outside_the_book():
    book = Path(__file__).resolve().parents[1] / "book"
    assert book not in data_root().resolve().parents


@needs_local
def test_loads_the_full_dataset_as_tensors():
    X, y, Xt, yt = load_fashion_mnist()
    assert X.shape == (60000, 1, 28, 28) and Xt.shape == (10000, 1, 28, 28)
    assert X.dtype == torch.float32 and y.dtype == torch.int64
    assert float(X.min()) == 0.0 and float(X.max()) == 1.0
    assert torch.equal(torch.bincount(y), torch.full((10,), 6000))
    assert torch.equal(torch.bincount(yt), torch.full((10,), 1000))
    # the same pixels torchvision gives through ToTensor
    ds = torchvision.datasets.FashionMNIST(str(ensure_fashion_mnist()), train=False,
                                           transform=torchvision.transforms.ToTensor())
    img, label = ds[123]
    assert torch.equal(Xt[123], img) and int(yt[123]) == label


@needs_local
def test_resize():
    X, _, Xt, _ = load_fashion_mnist(resize=14)
    assert X.shape == (60000, 1, 14, 14) and Xt.shape == (10000, 1, 14, 14)
    with pytest.raises(ValueError, match="resize"):
        load_fashion_mnist(resize=0)
    with pytest.raises(TypeError, match="resize"):
        load_fashion_mnist(resize=14.0)


@pytest.fixture
def no_download(monkeypatch):
    """Point torchvision's mirror at a local port that refuses connections."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))  # bound, never listening
        monkeypatch.setattr(torchvision.datasets.FashionMNIST, "mirrors", [f"http://127.0.0.1:{s.getsockname()[1]}/"])
        for var in ("no_proxy", "NO_PROXY"):
            monkeypatch.setenv(var, "127.0.0.1")
        monkeypatch.delenv("COMPANION_LOCAL_COPY", raising=False)
        yield


@needs_local
def test_fills_an_empty_root_from_the_local_copy(tmp_path, no_download):
    root = ensure_fashion_mnist(tmp_path)
    assert root == tmp_path
    assert sorted(p.name for p in (tmp_path / "FashionMNIST" / "raw").iterdir()) == sorted(data.RAW_FILES)


def copy_raw(tmp_path):
    src = ensure_fashion_mnist() / "FashionMNIST" / "raw"
    dst = tmp_path / "FashionMNIST" / "raw"
    dst.mkdir(parents=True)
    for name in data.RAW_FILES:
        shutil.copy(src / name, dst / name)
    return dst


@needs_local
@pytest.mark.parametrize("damage", ["truncate", "flip", "delete"])
def test_damaged_file_is_never_used(tmp_path, no_download, damage):
    raw = copy_raw(tmp_path)
    victim = raw / "t10k-labels-idx1-ubyte"
    content = bytearray(victim.read_bytes())
    if damage == "truncate":
        victim.write_bytes(content[:-100])
    elif damage == "flip":
        content[5000] ^= 0xFF  # a wrong label, same size: only the checksum sees it
        victim.write_bytes(content)
    else:
        victim.unlink()
    before = {name: (raw / name).read_bytes() for name in data.RAW_FILES if (raw / name).exists()}
    with pytest.raises(DataError, match="apt-get install dataset-fashion-mnist") as err:
        ensure_fashion_mnist(tmp_path, local_copy=False)
    assert "t10k-labels-idx1-ubyte" in str(err.value) and "Connection refused" in str(err.value)
    # the failed repair lost nothing and left nothing behind
    assert {p.name: p.read_bytes() for p in raw.iterdir()} == before
    # with the local copy available, the damaged file is replaced by a good one
    ensure_fashion_mnist(tmp_path)
    assert data._verify(raw) == []


def test_missing_everything_gives_one_clear_message(tmp_path, monkeypatch, no_download):
    monkeypatch.setattr(data, "DEBIAN_DIR", tmp_path / "no-such-folder")
    with pytest.raises(DataError) as err:
        load_fashion_mnist(tmp_path / "empty")
    msg = str(err.value)
    assert "Fashion-MNIST is missing" in msg and "apt-get install dataset-fashion-mnist" in msg
    assert "zalandoresearch/fashion-mnist" in msg


def test_local_copy_argument_is_checked(tmp_path):
    with pytest.raises(TypeError, match="local_copy"):
        ensure_fashion_mnist(tmp_path, local_copy=3)


def test_batches_shuffle_reproducibly_and_cover_everything():
    X = torch.arange(10.).reshape(10, 1, 1, 1)
    y = torch.arange(10)
    a = [yb.tolist() for _, yb in Batches(X, y, 4, shuffle=True, seed=7)]
    b = [yb.tolist() for _, yb in Batches(X, y, 4, shuffle=True, seed=7)]
    assert a == b and sorted(sum(a, [])) == list(range(10)) and a != [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    batches = Batches(X, y, 4, shuffle=True, seed=7)
    assert [yb.tolist() for _, yb in batches] != [yb.tolist() for _, yb in batches]  # new order every epoch
    for xb, yb in Batches(X, y, 3):
        assert torch.equal(xb.flatten().long(), yb)


@pytest.mark.parametrize("args, error, name", [
    (([1.0], torch.zeros(1, dtype=torch.long), 2), TypeError, "X"),
    ((torch.zeros(2, 1), torch.zeros(2), 2), TypeError, "y"),
    ((torch.zeros(2, 1), torch.zeros(3, dtype=torch.long), 2), ValueError, "same length"),
    ((torch.zeros(2, 1), torch.zeros(2, dtype=torch.long), 0), ValueError, "batch_size"),
    ((torch.zeros(2, 1), torch.zeros(2, dtype=torch.long), 2.0), TypeError, "batch_size"),
])
def test_batches_bad_input(args, error, name):
    with pytest.raises(error, match=name):
        Batches(*args)


def test_make_test_stops_once_without_the_data(tmp_path):
    """A new user's ``make test`` without the data and without a network: the notebooks that read
    Fashion-MNIST stop the session at collection, with the one message and its fix."""
    with socket.socket() as refusing:
        refusing.bind(("127.0.0.1", 0))
        proxy = f"http://127.0.0.1:{refusing.getsockname()[1]}"  # every download goes nowhere
        env = {k: v for k, v in os.environ.items() if k.lower() != "no_proxy"}
        env.update(COMPANION_DATA=str(tmp_path / "empty"), COMPANION_LOCAL_COPY=str(tmp_path / "no-debian"),
                   http_proxy=proxy, HTTP_PROXY=proxy, https_proxy=proxy, HTTPS_PROXY=proxy)
        repo = Path(__file__).resolve().parents[1]
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "--nbval", "--nbval-current-env",
                               "book/en/02_invariance.ipynb", "book/ko/03_conv_layer.ipynb", "tests/helpers/notebooks.py"],
                              cwd=repo, env=env, capture_output=True, text=True, timeout=120)
    out = done.stdout + done.stderr
    assert done.returncode != 0, out
    assert out.count("Fashion-MNIST is missing") == 1 and out.count("apt-get install dataset-fashion-mnist") == 1, out
    assert "the notebooks need Fashion-MNIST" in out and "no tests ran" in out, out  # not one cell ran


class _Cell:  # what the hook reads of a collected item
    def __init__(self, path):
        self.path = path


def test_the_data_check_runs_only_for_pages_that_read_the_data(monkeypatch):
    from tests import conftest
    calls = []
    monkeypatch.setattr(data, "ensure_fashion_mnist", lambda: calls.append(1))
    book = Path(__file__).resolve().parents[1] / "book"
    conftest.pytest_collection_modifyitems(None, None, [_Cell(book / "ko" / "03_conv_layer.ipynb"),
                                                        _Cell(Path(__file__))])
    assert calls == []
    conftest.pytest_collection_modifyitems(None, None, [_Cell(book / "ko" / "08_lenet.ipynb")] * 3)
    assert calls == [1]
