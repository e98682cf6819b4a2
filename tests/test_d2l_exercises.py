"""Every exercise item of D2L's CNN chapter is solved somewhere, in both editions.

book/ko/d2l_exercises.md and book/en/d2l_exercises.md hold one table row per item ID; the last
column points at the exercise ({numref}`ko-…`) or the target in a page's text ({ref}`ko-…`)
that solves it. An item no page solves yet reads "아직 없음" / "not yet", and test_item_is_solved
fails for it until a page solves it and the row points there.
"""
from __future__ import annotations

import collections
import re

import pytest

from tests.helpers.pages import BOOK, OTHER, ROLE, edition_labels, term_target

# D2L's "Convolutional Neural Networks" chapter, v1.0 text (d2l-ai/d2l-en,
# chapter_convolutional-neural-networks/): each section's source file and the IDs of the leaf
# items of its exercise list ("7.4.2c" = exercise 2, sub-question c, of section 7.4).
D2L_EXERCISES = {
    "7.1": ("why-conv.md", [
        "7.1.1",   # kernel size Δ = 0: an MLP applied independently at each pixel (Network in Network)
        "7.1.2a",  # audio: when locality and translation invariance
        "7.1.2b",  # audio: derive the 1-D convolution
        "7.1.2c",  # audio: vision tools (spectrogram)
        "7.1.3",   # when translation invariance is a bad idea, an example
        "7.1.4",   # convolutions for text: applicable, problems
        "7.1.5",   # an object at the image boundary
        "7.1.6",   # prove f * g = g * f
    ]),
    "7.2": ("conv-layer.md", [
        "7.2.1a",  # diagonal edges: what the section's K does
        "7.2.1b",  # ... X transposed
        "7.2.1c",  # ... K transposed
        "7.2.2a",  # an edge kernel for edges orthogonal to v = (v1, v2)
        "7.2.2b",  # finite-difference second derivative: minimum size, strongest responses
        "7.2.2c",  # a blur kernel, and why
        "7.2.2d",  # minimum kernel size for a derivative of order d
        "7.2.3",   # the error message when differentiating through the section's Conv2D
        "7.2.4",   # cross-correlation as a matrix multiplication by reshaping input and kernel
    ]),
    "7.3": ("padding-and-strides.md", [
        "7.3.1",   # output shape for kernel (3, 5), padding (0, 1), stride (3, 4), checked
        "7.3.2",   # stride 2 for audio
        "7.3.3",   # mirror padding
        "7.3.4",   # computational benefits of stride > 1
        "7.3.5",   # statistical benefits of stride > 1
        "7.3.6",   # stride 1/2: what, when useful
    ]),
    "7.4": ("channels.md", [
        "7.4.1a",  # two kernels without nonlinearity are one convolution (proof)
        "7.4.1b",  # the size of that kernel
        "7.4.1c",  # the converse
        "7.4.2a",  # forward cost (multiplications and additions) with padding and stride
        "7.4.2b",  # memory footprint
        "7.4.2c",  # memory footprint of the backward pass
        "7.4.2d",  # compute cost of the backward pass
        "7.4.3",   # cost factor when c_i and c_o double, and when the padding doubles
        "7.4.4",   # are Y1 and Y2 of the 1x1 example exactly equal, why
        "7.4.5",   # convolution as a matrix multiplication for windows larger than 1x1
        "7.4.6",   # fast kxk convolution: a (k+Δ)-wide strip, and the limit on Δ
        "7.4.7a",  # speed of a c x c block-diagonal multiply with b blocks
        "7.4.7b",  # the downside of b blocks, a partial fix
    ]),
    "7.5": ("pooling.md", [
        "7.5.1",   # average pooling as a convolution
        "7.5.2",   # max pooling is not a convolution alone (proof)
        "7.5.3a",  # max(a, b) with ReLU
        "7.5.3b",  # max pooling from convolutions and ReLU layers
        "7.5.3c",  # channels and layers for 2x2 and 3x3
        "7.5.4",   # compute cost of a pooling layer
        "7.5.5",   # why max and average pooling behave differently
        "7.5.6",   # is a separate minimum pooling layer needed
        "7.5.7",   # softmax as pooling: why unpopular
    ]),
    "7.6": ("lenet.md", [
        "7.6.1a",  # modernize: average -> max pooling
        "7.6.1b",  # modernize: "replace the softmax layer with ReLU" (earlier: sigmoid -> ReLU)
        "7.6.2a",  # accuracy: convolution window size
        "7.6.2b",  # ... number of output channels
        "7.6.2c",  # ... number of convolution layers
        "7.6.2d",  # ... number of fully connected layers
        "7.6.2e",  # ... learning rates and other training details (initialization, epochs)
        "7.6.3",   # the improved network on the original MNIST (offline: the closest experiment)
        "7.6.4",   # first- and second-layer activations for different inputs (sweaters, coats)
        "7.6.5",   # activations for very different inputs (cats, cars, noise)
    ]),
}
IDS = [i for _, items in D2L_EXERCISES.values() for i in items]
PAGE = "d2l_exercises.md"
ROW = re.compile(r"^\|\s*(?P<id>7\.\d\.\d+[a-z]?)\s*\|(?P<rest>.*)\|\s*$", re.M)
NOT_YET = {"ko": "아직 없음", "en": "not yet"}


def table(edition: str) -> list[tuple[str, str]]:
    """(ID, last column) for every row of the edition's appendix table, in page order."""
    text = (BOOK / edition / PAGE).read_text(encoding="utf-8")
    return [(m["id"], m["rest"].rsplit("|", 1)[-1].strip()) for m in ROW.finditer(text)]


def targets(cell: str) -> list[str]:
    """The labels a table cell points at ({ref} and {numref} roles)."""
    return [term_target(m["body"]) for m in ROLE.finditer(cell) if m["role"] in ("ref", "numref")]


def mapping(edition: str) -> dict[str, list[str]]:
    return {i: targets(cell) for i, cell in table(edition)}


def test_the_list_holds_the_55_items_of_the_chapter():
    assert len(IDS) == len(set(IDS)) == 55
    assert {s: len(items) for s, (_, items) in D2L_EXERCISES.items()} == {
        "7.1": 8, "7.2": 9, "7.3": 6, "7.4": 13, "7.5": 9, "7.6": 10}
    assert all(i.startswith(s + ".") for s, (_, items) in D2L_EXERCISES.items() for i in items)


@pytest.mark.parametrize("edition", ["ko", "en"])
def test_each_item_appears_exactly_once_in_order(edition):
    ids = [i for i, _ in table(edition)]
    counts = collections.Counter(ids)
    assert not [i for i in IDS if counts[i] == 0], f"{edition}/{PAGE}: missing rows {[i for i in IDS if not counts[i]]}"
    assert not [i for i, n in counts.items() if n > 1], f"{edition}/{PAGE}: repeated rows {[i for i, n in counts.items() if n > 1]}"
    assert not set(ids) - set(IDS), f"{edition}/{PAGE}: rows for unknown IDs {sorted(set(ids) - set(IDS))}"
    assert ids == IDS, f"{edition}/{PAGE}: rows out of D2L's order"


@pytest.mark.parametrize("edition", ["ko", "en"])
def test_a_row_either_points_somewhere_or_says_not_yet(edition):
    for i, cell in table(edition):
        points = bool(targets(cell))
        assert points != (NOT_YET[edition] in cell), (
            f"{edition}/{PAGE} {i}: {cell!r}: point at labels ({{numref}}`{edition}-…`) or write {NOT_YET[edition]!r}")
        assert all(t.startswith(f"{edition}-") for t in targets(cell)), f"{edition}/{PAGE} {i}: {edition}- labels only"


def test_both_editions_point_at_the_same_places():
    ko, en = mapping("ko"), mapping("en")
    differ = {i: (ko.get(i), en.get(i)) for i in IDS
              if [t[3:] for t in ko.get(i, [])] != [t[3:] for t in en.get(i, [])]}
    assert not differ, f"the ko and en tables point at different places: {differ}"


@pytest.mark.parametrize("edition", ["ko", "en"])
def test_every_mapped_target_exists_in_both_editions(edition):
    here, there = edition_labels(edition), edition_labels(OTHER[edition])
    missing = []
    for i, labels in mapping(edition).items():
        for label in labels:
            twin = f"{OTHER[edition]}-{label[len(edition) + 1:]}"
            if label not in here:
                missing.append(f"{i}: {label} is defined on no {edition} page")
            if twin not in there:
                missing.append(f"{i}: its twin {twin} is defined on no {OTHER[edition]} page")
    assert not missing, f"{edition}/{PAGE} points at labels that do not exist:\n" + "\n".join(missing)


@pytest.mark.parametrize("item", IDS)
def test_item_is_solved(item):
    """Fails while a row still reads "not yet": solve the item on a page (an exercise with an
    executed, asserted solution, or a passage with a target) and point the row at it."""
    ko, en = mapping("ko").get(item), mapping("en").get(item)
    assert ko and en, f"D2L {item}: no page solves it yet (ko: {ko}, en: {en}); see the tables in book/*/{PAGE}"
