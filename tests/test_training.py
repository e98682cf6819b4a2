"""companion.training on tiny synthetic data, and against d2l.train_ch6 / evaluate_accuracy_gpu."""
import pytest
import torch
from torch import nn

from companion.data import Batches
from companion.models import LeNet, init_xavier
from companion.training import (History, confusion_matrix, evaluate_accuracy, make_optimizer, predict, train,
                                train_epoch)


def toy_data(n=192, seed=0):
    """Two classes of 12×12 images: a bright top half or a bright bottom half, plus noise."""
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 2, (n,), generator=g)
    X = 0.3 * torch.rand(n, 1, 12, 12, generator=g)
    X[y == 0, :, :6] += 0.7
    X[y == 1, :, 6:] += 0.7
    return X, y


def toy_net():
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(4 * 6 * 6, 2))


def run(seed=0, epochs=4, **kw):
    torch.manual_seed(seed)
    X, y = toy_data()
    net = toy_net()
    h = train(net, Batches(X, y, 32, shuffle=True, seed=seed), (X, y), epochs, verbose=False, **kw)
    return net, h


def test_loss_decreases_and_history_has_one_entry_per_epoch():
    net, h = run(lr=0.1)
    assert isinstance(h, History) and len(h) == 4
    assert len(h.train_loss) == len(h.train_acc) == len(h.test_acc) == 4
    assert h.train_loss[-1] < 0.5 * h.train_loss[0]
    assert h.test_acc[-1] == 1.0
    assert all(0 <= a <= 1 for a in h.train_acc + h.test_acc)
    assert "4 epochs" in repr(h)


def test_same_seed_same_numbers():
    for kw in (dict(lr=0.1), dict(optimizer="adam", lr=0.01, scheduler="cosine")):
        (net1, h1), (net2, h2) = run(**kw), run(**kw)
        assert h1 == h2  # bitwise equal floats
        for p, q in zip(net1.parameters(), net2.parameters()):
            assert torch.equal(p, q)
    assert run(seed=1, lr=0.1)[1] != run(seed=0, lr=0.1)[1]


def test_channels_last_changes_speed_not_results():
    (_, a), (_, b) = run(lr=0.1, channels_last=True), run(lr=0.1, channels_last=False)
    torch.testing.assert_close(torch.tensor(a.train_loss), torch.tensor(b.train_loss), rtol=1e-4, atol=1e-5)


def test_verbose_prints_one_rounded_line_per_epoch(capsys):
    run(epochs=3, lr=0.1)
    assert capsys.readouterr().out == ""
    torch.manual_seed(0)
    X, y = toy_data()
    h = train(toy_net(), [(X, y)], (X, y), 3, lr=0.1)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and lines[0].startswith("epoch 1/3: loss ")
    assert lines[-1].endswith(f"test acc {h.test_acc[-1]:.4f}")


def test_optimizers_and_cosine_schedule():
    torch.manual_seed(0)
    X, y = toy_data()
    net = toy_net()
    opt = torch.optim.SGD(net.parameters(), lr=0.2)
    train(net, [(X, y)] * 5, (X, y), 2, optimizer=opt, scheduler="cosine", verbose=False)
    assert opt.param_groups[0]["lr"] == pytest.approx(0.0, abs=1e-12)  # cosine ends at 0
    for name, cls in (("sgd", torch.optim.SGD), ("adam", torch.optim.Adam), ("AdamW", torch.optim.AdamW)):
        assert type(make_optimizer(net, name, 0.01)) is cls


def test_matches_d2l_train_ch6(monkeypatch, capsys):
    """Same init, same batches, no channels-last: the same weights as D2L's trainer."""
    d2l = pytest.importorskip("d2l.torch")

    class NoAnimator:
        def __init__(self, *args, **kwargs):
            pass

        def add(self, *args, **kwargs):
            pass

    monkeypatch.setattr(d2l, "Animator", NoAnimator)
    X, y = toy_data(160)
    batches = [(X[k:k + 32], y[k:k + 32]) for k in range(0, 160, 32)]  # d2l needs >= 5 batches
    torch.manual_seed(3)
    ours = init_xavier(LeNet(input_size=12))
    h = train(ours, batches, batches, 2, lr=0.9, channels_last=False, verbose=False)
    torch.manual_seed(3)
    ref = LeNet(input_size=12)
    d2l.train_ch6(ref, batches, batches, 2, 0.9, torch.device("cpu"))
    for p, q in zip(ours.parameters(), ref.parameters()):
        torch.testing.assert_close(p, q, rtol=1e-5, atol=1e-6)
    assert f"test acc {h.test_acc[-1]:.3f}" in capsys.readouterr().out
    assert evaluate_accuracy(ours, batches) == pytest.approx(d2l.evaluate_accuracy_gpu(ref, batches))


def test_evaluate_predict_confusion_agree():
    torch.manual_seed(0)
    X, y = toy_data(100)
    net = toy_net()
    pred = predict(net, X, batch_size=7)
    assert pred.dtype == torch.int64 and pred.shape == (100,)
    acc = (pred == y).float().mean().item()
    assert evaluate_accuracy(net, (X, y)) == pytest.approx(acc)
    assert evaluate_accuracy(net, Batches(X, y, 13)) == pytest.approx(acc)
    assert evaluate_accuracy(net, [(X[:50], y[:50]), (X[50:], y[50:])], batch_size=3) == pytest.approx(acc)
    assert not net.training
    C = confusion_matrix(y, pred, 2)
    for i in range(2):
        for j in range(2):
            assert C[i, j] == ((y == i) & (pred == j)).sum()
    assert C.sum() == 100 and C.trace() / 100 == pytest.approx(acc)


def test_confusion_matrix_random():
    g = torch.Generator().manual_seed(0)
    for k in range(1, 12):
        t, p = torch.randint(0, k, (50,), generator=g), torch.randint(0, k, (50,), generator=g)
        C = confusion_matrix(t, p, k)
        ref = torch.zeros(k, k, dtype=torch.int64)
        for a, b in zip(t.tolist(), p.tolist()):
            ref[a, b] += 1
        assert torch.equal(C, ref)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
def test_trains_on_gpu():
    _, h = run(lr=0.1, device=torch.device("cuda"))
    _, h_cpu = run(lr=0.1)
    torch.testing.assert_close(torch.tensor(h.train_loss), torch.tensor(h_cpu.train_loss), rtol=1e-3, atol=1e-4)


def test_bad_inputs():
    X, y = toy_data(16)
    net = toy_net()
    data = [(X, y)]
    cases = [
        (lambda: train("net", data, data, 1), TypeError, "net"),
        (lambda: train(net, 5, data, 1), TypeError, "train_iter"),
        (lambda: train(net, data, 5, 1), TypeError, "test_iter"),
        (lambda: train(net, data, (X, y[:3]), 1), ValueError, "test_iter"),
        (lambda: train(net, data, data, 0), ValueError, "num_epochs"),
        (lambda: train(net, data, data, 1.5), TypeError, "num_epochs"),
        (lambda: train(net, data, data, 1, optimizer="rmsprop"), ValueError, "optimizer"),
        (lambda: train(net, data, data, 1, optimizer=torch.optim.SGD), TypeError, "optimizer"),
        (lambda: train(net, data, data, 1, lr=-0.1), ValueError, "lr"),
        (lambda: train(net, data, data, 1, lr="0.1"), TypeError, "lr"),
        (lambda: train(net, data, data, 1, weight_decay=-1.0), ValueError, "weight_decay"),
        (lambda: train(net, data, data, 1, scheduler="step"), ValueError, "scheduler"),
        (lambda: train(net, data, data, 1, scheduler=1), TypeError, "scheduler"),
        (lambda: train(net, data, data, 1, device=0), TypeError, "device"),
        (lambda: train(net, data, data, 1, device="gpu0"), ValueError, "device"),
        (lambda: train(net, data, data, 1, channels_last="yes"), TypeError, "channels_last"),
        (lambda: train(net, data, data, 1, verbose=1), TypeError, "verbose"),
        (lambda: train(net, [], data, 1, verbose=False), ValueError, "train_iter"),
        (lambda: evaluate_accuracy(net, 3), TypeError, "data"),
        (lambda: evaluate_accuracy(net, (X, y.float())), TypeError, r"data\[1\]"),
        (lambda: evaluate_accuracy(net, (X, y), batch_size=0), ValueError, "batch_size"),
        (lambda: evaluate_accuracy(net, []), ValueError, "data"),
        (lambda: predict(net, X[0]), ValueError, "X"),
        (lambda: predict(net, y), TypeError, "X"),
        (lambda: confusion_matrix(y.float(), y, 2), TypeError, "y_true"),
        (lambda: confusion_matrix(y, y + 5, 2), ValueError, "y_pred"),
        (lambda: confusion_matrix(y, y[:4], 2), ValueError, "same length"),
        (lambda: confusion_matrix(y, y, 0), ValueError, "num_classes"),
    ]
    for fn, error, name in cases:
        with pytest.raises(error, match=name):
            fn()


# --- train_epoch: the loop a page shows and may edit ----------------------------------------

def test_train_runs_the_epoch_it_is_given():
    """train(..., epoch=f) calls f once per epoch with the batches on the device, and a copy of
    train_epoch gives bit-identical results (so a page's own cell is what runs)."""
    calls = []

    def counting_epoch(net, batches, loss_fn, optimizer, scheduler):
        calls.append((type(loss_fn).__name__, type(optimizer).__name__, scheduler))
        return train_epoch(net, batches, loss_fn, optimizer, scheduler)

    (_, default), (_, wrapped) = run(lr=0.1), run(lr=0.1, epoch=counting_epoch)
    assert calls == [("CrossEntropyLoss", "SGD", None)] * 4
    assert default == wrapped


def test_an_edited_epoch_changes_the_result():
    def no_update(net, batches, loss_fn, optimizer, scheduler):
        return train_epoch(net, batches, loss_fn, torch.optim.SGD(net.parameters(), lr=0.0))

    (_, learned), (_, frozen) = run(lr=0.1), run(lr=0.1, epoch=no_update)
    assert frozen.train_loss[0] == pytest.approx(frozen.train_loss[-1], rel=1e-6)
    assert learned.train_loss[-1] < 0.5 * frozen.train_loss[-1]


def test_train_epoch_alone_matches_a_hand_written_loop():
    X, y = toy_data(96)
    batches = [(X[k:k + 32], y[k:k + 32]) for k in range(0, 96, 32)]
    torch.manual_seed(0)
    net = toy_net()
    ref = toy_net()
    ref.load_state_dict(net.state_dict())
    opt, opt_ref = torch.optim.SGD(net.parameters(), lr=0.1), torch.optim.SGD(ref.parameters(), lr=0.1)
    loss, acc = train_epoch(net, batches, nn.CrossEntropyLoss(), opt)
    losses, correct = [], 0
    for Xb, yb in batches:
        out = ref(Xb)
        l = nn.functional.cross_entropy(out, yb)  # noqa: E741
        opt_ref.zero_grad()
        l.backward()
        opt_ref.step()
        losses.append(l.item() * len(yb))
        correct += int((out.argmax(1) == yb).sum())
    assert loss == pytest.approx(sum(losses) / 96, rel=1e-6) and acc == correct / 96
    for p, q in zip(net.parameters(), ref.parameters()):
        assert torch.equal(p, q)
    assert net.training


def test_train_epoch_steps_the_scheduler_once_per_batch():
    X, y = toy_data(64)
    net = toy_net()
    opt = torch.optim.SGD(net.parameters(), lr=1.0)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    train_epoch(net, [(X[:32], y[:32]), (X[32:], y[32:])], nn.CrossEntropyLoss(), opt, sched)
    assert opt.param_groups[0]["lr"] == 0.25


def test_train_epoch_bad_inputs():
    X, y = toy_data(16)
    net = toy_net()
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    loss = nn.CrossEntropyLoss()
    cases = [
        (lambda: train_epoch(net.state_dict(), [(X, y)], loss, opt), TypeError, "net"),
        (lambda: train_epoch(net, 3, loss, opt), TypeError, "train_iter"),
        (lambda: train_epoch(net, [(X, y)], "cross-entropy", opt), TypeError, "loss_fn"),
        (lambda: train_epoch(net, [(X, y)], loss, "sgd"), TypeError, "optimizer"),
        (lambda: train_epoch(net, [(X, y)], loss, opt, scheduler="cosine"), TypeError, "scheduler"),
        (lambda: train_epoch(net, [], loss, opt), ValueError, "train_iter"),
        (lambda: train(net, [(X, y)], (X, y), 1, epoch="train_epoch"), TypeError, "epoch"),
        (lambda: train(net, [(X, y)], (X, y), 1, verbose=False, epoch=lambda *a: 0.5), TypeError, "epoch must return"),
    ]
    for fn, error, name in cases:
        with pytest.raises(error, match=name):
            fn()
