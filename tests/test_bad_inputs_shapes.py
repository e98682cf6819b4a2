"""Bad inputs for ``companion.shapes``: every case a clear error or a correct result (issue 10).
The table format is in ``tests/helpers/bad_inputs.py``; shapes are checked against ``nn.Conv2d``
and ``F.pad``."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from companion import shapes
from companion.shapes import (check_one_map, comp_conv2d,
                              conv_output_shape, conv_output_size, conv_transpose2d, insert_zeros, mirror_pad2d, pad2d)
from tests.helpers.bad_inputs import Case, Check, checks_of, count, params, run, uncovered


@pytest.fixture
def env(tmp_path, monkeypatch):
    return SimpleNamespace(tmp_path=tmp_path, monkeypatch=monkeypatch)


def padded(X: torch.Tensor, value, top: int, bottom: int, left: int, right: int) -> torch.Tensor:
    """The reference: ``F.pad`` (which takes left, right, top, bottom)."""
    return F.pad(X, (left, right, top, bottom), value=value)


I2 = torch.tensor([[1, 2], [3, 4]])
U8 = I2.to(torch.uint8)
F2 = torch.ones(2, 2)


def conv(k, padding=0, stride=1, **kw):
    return nn.Conv2d(1, 1, k, padding=padding, stride=stride, **kw)


def transposed(X: torch.Tensor, K: torch.Tensor, stride=1, padding=0) -> Check:
    want = F.conv_transpose2d(X[None, None], K[None, None], stride=stride, padding=padding)[0, 0]
    return Check(lambda r: r.shape == want.shape and torch.allclose(r, want), "F.conv_transpose2d")


def reflected(X: torch.Tensor, top: int, bottom: int, left: int, right: int) -> torch.Tensor:
    return F.pad(X[None, None], (left, right, top, bottom), mode="reflect")[0, 0]


A23 = torch.arange(6.).reshape(2, 3)
K22 = torch.tensor([[0., 1.], [2., 3.]])


def same_shape(shape):
    return Check(lambda r: tuple(r.shape) == shape, f"shape {shape}")


CASES = [
    # dtype values: a padding value the tensor's dtype cannot hold is refused, not rounded or wrapped
    Case("dtype values", pad2d, (I2, 1, 0.5), raises=ValueError,
         match=r"value=0\.5 cannot be held exactly by X's dtype torch\.int64 \(it would become 0\)"),
    Case("dtype values", pad2d, (U8, 1, -1), raises=ValueError,
         match=r"value=-1 cannot be held exactly by X's dtype torch\.uint8.*0 to 255"),
    Case("dtype values", pad2d, (U8, 1, 256), raises=ValueError, match=r"value=256 cannot be held exactly by X's dtype torch\.uint8"),
    Case("dtype values", pad2d, (I2.to(torch.int8), 1, 2.5), raises=ValueError, match=r"value=2\.5 .*torch\.int8"),
    Case("dtype values", pad2d, (I2, 1, 2**63), raises=ValueError, match=r"value=9223372036854775808 .*torch\.int64"),
    Case("dtype values", pad2d, (I2, 1, float("nan")), raises=ValueError, match=r"value=nan cannot be held .*torch\.int64"),
    Case("dtype values", pad2d, (I2, 1, float("inf")), raises=ValueError, match=r"value=inf cannot be held .*torch\.int64"),
    Case("dtype values", pad2d, (F2.half(), 1, 1e5), raises=ValueError,
         match=r"value=100000\.0 cannot be held .*torch\.float16 \(it would become inf\)"),
    Case("dtype values", pad2d, (torch.ones(2, 2, dtype=torch.bool), 1, 2), raises=ValueError,
         match=r"value=2 cannot be held exactly by X's dtype torch\.bool"),
    Case("dtype values", pad2d, (U8, 1, 255), expect=padded(U8, 255, 1, 1, 1, 1)),
    Case("dtype values", pad2d, (I2.to(torch.int8), 1, -128), expect=padded(I2.to(torch.int8), -128, 1, 1, 1, 1)),
    Case("dtype values", pad2d, (I2, 1, 3.0), expect=padded(I2, 3, 1, 1, 1, 1)),
    Case("dtype values", pad2d, (I2, 1, np.int64(-7)), expect=padded(I2, -7, 1, 1, 1, 1)),
    Case("dtype values", pad2d, (F2.half(), 1, 65504.0), expect=padded(F2.half(), 65504.0, 1, 1, 1, 1)),
    Case("dtype values", pad2d, (F2, 1, 0.1), expect=padded(F2, 0.1, 1, 1, 1, 1)),
    Case("dtype values", pad2d, (F2, 1, float("-inf")), expect=padded(F2, float("-inf"), 1, 1, 1, 1)),
    Case("dtype values", pad2d, (F2, (1, 0), np.float32(0.25)), expect=padded(F2, 0.25, 1, 1, 0, 0)),
    Case("dtype values", pad2d, (torch.ones(2, 2, dtype=torch.bool), 1, 0),
         expect=padded(torch.ones(2, 2, dtype=torch.bool), False, 1, 1, 1, 1)),
    Case("dtype values", pad2d, (I2, 1, 0.5), raises=ValueError, match=r"value=0\.5 cannot be held"),

    # sizes: a padding whose result needs more than MEMORY_BUDGET bytes is refused up front
    Case("sizes", pad2d, (F2, 10**5), raises=ValueError,
         match=r"padding=100000 .*\(200002, 200002\) .*would allocate 149\.0 GiB, more than the 2 GiB .*MEMORY_BUDGET"),
    Case("sizes", pad2d, (F2, (0, 0, 0, 10**9)), raises=ValueError, match=r"padding=\(0, 0, 0, 1000000000\) .*would allocate"),
    Case("sizes", pad2d, (U8, (2**15, 2**15)), raises=ValueError, match=r"padding=\(32768, 32768\) .*torch\.uint8"),
    Case("sizes", pad2d, (F2, 10**6, 0.0), raises=ValueError, match=r"padding=1000000 .*would allocate"),
    Case("sizes", pad2d, (U8, (1000, 0)), expect=same_shape((2002, 2))),
    Case("sizes", insert_zeros, (F2, 10**5), raises=ValueError,
         match=r"stride=100000 \(a \(100001, 100001\) result of torch\.float32\) would allocate 37\.3 GiB"),
    Case("sizes", insert_zeros, (F2, (1, 10**10)), raises=ValueError, match=r"stride=\(1, 10000000000\) .*would allocate"),
    Case("sizes", conv_transpose2d, (F2, K22), {"stride": 10**5}, raises=ValueError, match=r"stride=\(100000, 100000\) .*would allocate"),
    Case("sizes", mirror_pad2d, (torch.ones(1, 10**5), (0, 10**5 - 1)), expect=same_shape((1, 3 * 10**5 - 2))),
    Case("sizes", conv_output_size, (10**30, 3, 0, 10**10), expect=10**20),

    # integer-likes: NumPy integers wherever an int is; bool refused
    Case("integer-likes", conv_output_size, (np.int64(8), np.int32(3)), expect=6),
    Case("integer-likes", conv_output_size, (8, 3), {"total_padding": np.uint8(2), "stride": np.int64(2)}, expect=4),
    Case("integer-likes", conv_output_shape, (np.int64(8), (np.int64(5), 3)), {"padding": np.int64(1)}, expect=(6, 8)),
    Case("integer-likes", conv_output_shape, (np.array([8, 6]), np.array([3, 3])), expect=(6, 4)),
    Case("integer-likes", checks_of(conv_output_size), (np.int64(8), 3, 2, 1), expect=(8, 3, 2, 1)),
    Case("integer-likes", checks_of(conv_output_shape), (8, np.int16(3), 0, 1), expect=((8, 8), (3, 3), (0, 0), (1, 1))),
    Case("integer-likes", pad2d, (F2, np.int64(1)), expect=padded(F2, 0.0, 1, 1, 1, 1)),
    Case("integer-likes", pad2d, (F2, (np.int64(1), np.int32(0), 0, np.uint8(2))), expect=padded(F2, 0.0, 1, 0, 0, 2)),
    Case("integer-likes", comp_conv2d, (conv(3, padding=np.int64(1)), torch.ones(5, 5)), expect=same_shape((5, 5))),
    Case("integer-likes", conv_output_size, (True, 3), raises=TypeError, match=r"n must be an int, got bool"),
    Case("integer-likes", conv_output_shape, (8, 3), {"stride": (1, False)}, raises=TypeError,
         match=r"stride\[1\] must be an int, got bool"),
    Case("integer-likes", pad2d, (F2, np.bool_(True)), raises=TypeError, match=r"padding must be an int"),
    Case("integer-likes", insert_zeros, (K22, np.int64(2)), expect=torch.tensor([[0., 0., 1.], [0., 0., 0.], [2., 0., 3.]])),
    Case("integer-likes", checks_of(insert_zeros), (K22, np.array([2, 3])), expect=Check(lambda r: r[1] == (2, 3), "stride (2, 3)")),
    Case("integer-likes", conv_transpose2d, (A23, K22), {"stride": np.int64(2), "padding": np.int32(1)},
         expect=transposed(A23, K22, 2, 1)),
    Case("integer-likes", checks_of(conv_transpose2d), (A23, K22, np.int64(1), np.int64(0)),
         expect=Check(lambda r: r[2:] == ((1, 1), (0, 0)), "stride and padding")),
    Case("integer-likes", mirror_pad2d, (A23, (np.int64(1), np.int64(2))), expect=reflected(A23, 1, 1, 2, 2)),
    Case("integer-likes", checks_of(mirror_pad2d), (A23, np.int64(1), "reflect"), expect=Check(lambda r: r[1:] == ((1, 1, 1, 1), "reflect"),
                                                                                          "the padding, reflect")),
    Case("integer-likes", insert_zeros, (K22, True), raises=TypeError, match=r"stride must be an int, got bool"),
    Case("integer-likes", conv_transpose2d, (A23, K22), {"padding": True}, raises=TypeError, match=r"padding must be an int, got bool"),
    Case("integer-likes", pad2d, (F2, 1, True), raises=TypeError, match=r"value must be a number, got bool"),
    Case("integer-likes", conv_output_size, (8.0, 3), raises=TypeError, match=r"n must be an int, got float"),

    # messages name what the user passed; inputs that do not fit say which layer they do not fit
    # errors from inside (issue 18): a dilated kernel larger than the input, said in the user's terms
    Case("errors from inside", comp_conv2d, (conv(3, dilation=3), torch.ones(5, 5)), raises=ValueError,
         match=r"X of shape \(5, 5\) is too small for conv: conv\.kernel_size \(3, 3\) with conv\.dilation \(3, 3\) "
               r"spans \(7, 7\) and is larger than X padded by conv\.padding \(0, 0\), \(5, 5\)"),
    Case("errors from inside", comp_conv2d, (conv(3, dilation=(1, 4)), torch.ones(5, 8)), raises=ValueError,
         match=r"conv\.dilation \(1, 4\) spans \(3, 9\)"),
    Case("errors from inside", comp_conv2d, (nn.Sequential(conv(3, dilation=3)), torch.ones(5, 5)), raises=ValueError,
         match=r"X of shape \(5, 5\) does not fit conv\[0\]"),
    Case("errors from inside", comp_conv2d, (conv(3, dilation=2, padding=1), torch.ones(3, 3)), expect=same_shape((1, 1))),
    Case("messages", comp_conv2d, (conv(5), torch.ones(3, 3)), raises=ValueError,
         match=r"X of shape \(3, 3\) is too small for conv: conv\.kernel_size \(5, 5\) is larger than X padded by "
               r"conv\.padding \(0, 0\), \(3, 3\)"),
    Case("messages", comp_conv2d, (nn.Sequential(conv(3), conv(5)), torch.ones(5, 5)), raises=ValueError,
         match=r"X of shape \(5, 5\) does not fit conv\[1\] \(Conv2d\(1, 1, kernel_size=\(5, 5\)"),
    Case("messages", comp_conv2d, (conv(3, dtype=torch.float64), torch.ones(4, 4)), raises=TypeError,
         match=r"X must have the dtype of conv's weight \(torch\.float64\), got torch\.float32"),
    Case("messages", comp_conv2d, (conv(3, device="meta"), torch.ones(4, 4)), raises=ValueError,
         match=r"X must be on the device of conv's weight \(meta\), got cpu"),
    Case("messages", comp_conv2d, (nn.Conv2d(1, 2, 3), torch.ones(4, 4)), raises=ValueError,
         match=r"conv must map 1 channel to 1 channel, got in_channels=1, out_channels=2"),
    Case("messages", comp_conv2d, (nn.Flatten(), torch.ones(4, 4)), raises=ValueError,
         match=r"conv must return one \(1, 1, h, w\) feature map, got shape \(1, 16\)"),
    Case("messages", comp_conv2d, (lambda x: x, torch.ones(4, 4)), raises=TypeError,
         match=r"conv must be a torch\.nn\.Module, got function"),
    Case("messages", comp_conv2d, (conv(3), torch.ones(1, 4, 4)), raises=ValueError, match=r"X must be a 2-D tensor"),
    Case("messages", comp_conv2d, (conv(5), torch.ones(3, 3)), raises=ValueError, match=r"too small for conv"),
    Case("messages", check_one_map, (torch.ones(1, 1, 3),), raises=ValueError,
         match=r"conv must return one \(1, 1, h, w\) feature map, got shape \(1, 1, 3\)"),
    Case("messages", check_one_map, ("map",), raises=ValueError, match=r"conv must return one .*got str"),
    Case("messages", conv_output_size, (4, 7, 2), raises=ValueError,
         match=r"kernel_size \(7\) must not exceed the padded input size n \+ total_padding = 4 \+ 2 = 6"),
    Case("messages", conv_output_shape, (8, 3), {"padding": []}, raises=ValueError, match=r"padding must be an int or a pair"),
    Case("messages", conv_output_shape, (8, 3), {"stride": 0}, raises=ValueError, match=r"stride must be >= 1, got 0"),
    Case("messages", pad2d, (F2, (1, 2, 3)), raises=ValueError, match=r"padding must be an int or a pair"),
    Case("messages", pad2d, (F2, (1, -1, 0, 0)), raises=ValueError, match=r"padding\[1\] must be >= 0, got -1"),
    Case("messages", pad2d, (F2, 1, "0"), raises=TypeError, match=r"value must be a number, got str"),
    Case("messages", pad2d, (torch.ones(2), 1), raises=ValueError, match=r"X must be a 2-D tensor"),
    Case("messages", insert_zeros, (torch.ones(3), 2), raises=ValueError, match=r"X must be a 2-D tensor"),
    Case("messages", insert_zeros, (F2, 0), raises=ValueError, match=r"stride must be >= 1, got 0"),
    Case("messages", conv_transpose2d, (A23, K22), {"padding": 2}, raises=ValueError,
         match=r"padding must be at most kernel size - 1 = \(1, 1\), got \(2, 2\)"),
    Case("messages", conv_transpose2d, (A23, K22.double()), raises=TypeError, match=r"X and K must have the same dtype"),
    Case("messages", conv_transpose2d, (A23.long(), K22), raises=TypeError, match=r"X must have a floating-point dtype"),
    Case("messages", mirror_pad2d, (A23, 2), raises=ValueError,
         match=r"padding must be at most \(1, 1, 2, 2\) for mode='reflect' and X of shape \(2, 3\), got \(2, 2, 2, 2\)"),
    Case("messages", mirror_pad2d, (A23, 1, "wrap"), raises=ValueError, match=r"mode must be 'reflect' or 'symmetric', got 'wrap'"),
    Case("messages", mirror_pad2d, (A23, (1, 2, 3)), raises=ValueError, match=r"padding must be an int or a pair"),
    Case("messages", mirror_pad2d, (A23, -1, "reflect"), raises=ValueError, match=r"padding must be >= 0, got -1"),
    Case("messages", conv_transpose2d, (A23, K22), {"stride": 2}, expect=transposed(A23, K22, 2)),
    Case("messages", mirror_pad2d, (A23, (1, 0, 2, 1)), expect=reflected(A23, 1, 0, 2, 1)),
    Case("messages", comp_conv2d, (conv(3, padding=1), torch.ones(6, 7)), expect=same_shape((6, 7))),
    Case("messages", comp_conv2d, (conv((5, 3), padding=(2, 1), stride=2), torch.ones(8, 8)), expect=same_shape((4, 4))),
]


@pytest.mark.parametrize("case", params(CASES))
def test_case(case, env):
    run(case, env)


def test_every_public_function_of_the_module_is_called():
    assert not uncovered(shapes, CASES)


def test_classes():
    assert set(count(CASES)) == {"dtype values", "sizes", "integer-likes", "errors from inside", "messages"}, count(CASES)
