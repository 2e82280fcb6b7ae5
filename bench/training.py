"""Training step: engine.training.fit against the same network in PyTorch.

Same data (1000 two-moons points), same architecture, same initial weights, same
mini-batches (the engine's shuffles are replayed in torch), same optimizer
(momentum 0.9; torch's v ← μv + g, θ ← θ − αv is the course text's rule with v scaled by
−α), and the same per-epoch evaluation (training loss and accuracy). Time per step
is an epoch's time divided by its number of mini-batches; the two sides' epochs are
timed in turns, the best of each kept.
"""

from __future__ import annotations

import numpy as np

from bench.timing import Row, best_times
from engine import MLP, Momentum, make_moons
from engine.training import Trainer

N, BATCH, EPOCHS, LR, MOMENTUM = 1000, 32, 20, 0.05, 0.9  # EPOCHS timed, best one kept
SMALL = [2, 32, 32, 2]
DEEP = [2, 64, 64, 64, 64, 64, 2]


def _torch_model(torch, net: MLP):
    layers = []
    for m, layer in enumerate(net.layers):
        linear = torch.nn.Linear(*layer.W.shape).double()
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(layer.W.T.copy()))
            linear.bias.copy_(torch.from_numpy(layer.b.copy()))
        layers.append(linear)
        if m < len(net.layers) - 1:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def compare(sizes, label: str, target: float) -> tuple[Row, Row]:
    import torch

    torch.set_num_threads(1)
    X, y = make_moons(N, noise=0.2, seed=0)
    steps = -(-N // BATCH)

    net = MLP(sizes, activation="relu", seed=0)
    model = _torch_model(torch, net)  # same initial weights
    trainer = Trainer(net, Momentum(lr=LR, momentum=MOMENTUM), X, y, batch_size=BATCH, seed=1)

    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    optimizer = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    loss_fn = torch.nn.CrossEntropyLoss()
    replay = np.random.default_rng(1)  # the engine's shuffles, replayed in the same order

    def torch_epoch():
        order = torch.from_numpy(replay.permutation(N))
        for start in range(0, N, BATCH):
            rows = order[start:start + BATCH]
            optimizer.zero_grad()
            loss_fn(model(Xt[rows]), yt[rows]).backward()
            optimizer.step()
        with torch.no_grad():  # the per-epoch evaluation fit also does
            scores = model(Xt)
            float(loss_fn(scores, yt))
            float((scores.argmax(1) == yt).double().mean())

    ours, peer = (t / steps for t in best_times(trainer.run_epoch, torch_epoch, repeats=EPOCHS))

    # comparable accuracy after the same training
    for _ in range(20):
        trainer.run_epoch()
        torch_epoch()
    ours_acc = trainer.run_epoch().train_acc
    torch_epoch()
    with torch.no_grad():
        torch_acc = float((model(Xt).argmax(1) == yt).double().mean())
    time_row = Row(f"training step, {label}", ours * 1e6, peer * 1e6, "µs", f"≥ {target:g}×",
                   peer / ours >= target)
    epochs = 1 + EPOCHS + 20 + 1  # warm-up, timed, then the comparison's own
    acc_row = Row(f"training accuracy after {epochs} epochs, {label}", ours_acc, torch_acc,
                  "", "comparable", abs(ours_acc - torch_acc) < 0.03, speed=False)
    return time_row, acc_row


def run() -> list[Row]:
    rows = []
    for sizes, label, target in ((SMALL, "2-32-32-2", 6.0), (DEEP, "2-64×5-2", 3.0)):
        rows.extend(compare(sizes, label, target))
    return rows
