"""Trained networks' weights as JSON, with their architecture, and back.

    text = networks_to_json({"net": net}, features=["x₁", "x₂"], classes=["0", "1"])
    nets = networks_from_json(text)   # {"net": an MLP that predicts exactly as net did}

Each network's entry holds its layer sizes, activation, loss, initialization's name and
dropout (how it was built), and each layer's W^m (inputs × outputs) and b^m as nested
lists, in float64's shortest exact decimal form. `about` (features, classes, …) is kept
beside them.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from engine.network import MLP

FORMAT = "descent-networks/1"


def network_to_dict(net: MLP) -> dict[str, Any]:
    return {
        "layer_sizes": list(net.layer_sizes),
        "activation": net.activation.name,
        "loss": net.loss_name,
        "init": net.init_name,
        "dropout": [net.p_input, net.p_hidden],
        "layers": [{"W": layer.W.tolist(), "b": layer.b.tolist()} for layer in net.layers],
    }


def network_from_dict(data: dict[str, Any]) -> MLP:
    """The network the data describe; a ValueError says what does not fit."""
    net = MLP(data["layer_sizes"], activation=data["activation"], loss=data["loss"],
              init=data["init"], dropout=tuple(data["dropout"]))
    if len(data["layers"]) != len(net.layers):
        raise ValueError(f"{len(data['layers'])} layers for layer sizes {data['layer_sizes']}")
    for m, (layer, saved) in enumerate(zip(net.layers, data["layers"], strict=True), start=1):
        W, b = np.asarray(saved["W"], dtype=np.float64), np.asarray(saved["b"], dtype=np.float64)
        if W.shape != layer.W.shape or b.shape != layer.b.shape:
            raise ValueError(f"layer {m}: W {W.shape} and b {b.shape} do not fit "
                             f"{layer.W.shape} and {layer.b.shape}")
        layer.W[...], layer.b[...] = W, b
    return net


def networks_to_json(nets: dict[str, MLP], **about: Any) -> str:
    return json.dumps({"format": FORMAT, **about,
                       "networks": {label: network_to_dict(net) for label, net in nets.items()}},
                      ensure_ascii=False)


def networks_from_json(text: str) -> dict[str, MLP]:
    data = json.loads(text)
    if data.get("format") != FORMAT:
        raise ValueError(f"format={data.get('format')!r} is not {FORMAT!r}")
    return {label: network_from_dict(entry) for label, entry in data["networks"].items()}


def snapshot(net: MLP) -> MLP:
    """A network of the same architecture holding a copy of `net`'s weights now (training
    may go on changing `net`)."""
    twin = MLP(net.layer_sizes, activation=net.activation.name, loss=net.loss_name,
               init=net.init_name, dropout=(net.p_input, net.p_hidden))
    twin.params = net.params
    return twin
