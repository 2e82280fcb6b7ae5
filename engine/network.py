"""A multilayer perceptron whose parameters live in one flat vector θ.

Layer m (m = 1 … M) computes z^m = a^{m−1} W^m + b^m and a^m = f(z^m); the last
layer is linear and its outputs are the scores c fed to the softmax. Rows are
samples, so W^m has shape (inputs, outputs). Every W^m and b^m is a view into
`net.params`: an optimizer that updates θ updates every layer at once.

Backpropagation follows the course text:
    δ^M = ∂J/∂z^M
    δ^m = f'(z^m) (W^{m+1})^T δ^{m+1}
    ∂J/∂W^m = (a^{m−1})^T δ^m,   ∂J/∂b^m = Σ_rows δ^m

Longer than 300 lines because forward pass, backpropagation and the penalties share the
flat θ and its layer views; split apart, each half would need the other's bookkeeping.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, NamedTuple, cast

import numpy as np

from engine.activations import get_activation
from engine.initializers import init_weights
from engine.losses import LOSS_GRADIENTS, LOSSES, one_hot, softmax

Seed = int | np.random.SeedSequence | np.random.Generator | None

_BLOCK_VALUES = 15_000  # values per array when scoring many rows: under 128 kB, where
# glibc starts to mmap (and fault in) every new array


@dataclass(frozen=True, eq=False)
class Layer:
    """Views W (n_in, n_out) and b (n_out,) into the flat parameter vector."""

    W: np.ndarray[tuple[int, int], np.dtype[np.float64]]
    b: np.ndarray
    w_slice: slice  # where W sits in the flat vector
    b_slice: slice


class Forward(NamedTuple):
    """What a forward pass keeps for backpropagation."""

    zs: list[np.ndarray]  # z^1 … z^M; z^M are the scores c
    activations: list[np.ndarray]  # a^0 = X … a^{M−1}, after dropout
    fz: list[np.ndarray]  # f(z^m) of the hidden layers, before dropout
    masks: list[np.ndarray | None]  # the dropout mask of each a^m, or None


class Backprop(NamedTuple):
    loss: float  # J including the L1/L2 penalty
    data_loss: float  # J without the penalty
    grad: np.ndarray  # ∂J/∂θ, flat like params
    deltas: list[np.ndarray]  # δ^1 … δ^M, one (rows, n_out) array per layer


def _dropout_pair(dropout: float | tuple[float, float]) -> tuple[float, float]:
    # numbers checked below (np.isscalar narrows dropout to NumPy's scalar types, not float)
    pair: tuple[Any, ...]
    pair = (dropout, dropout) if np.isscalar(dropout) else tuple(cast("Iterable[float]", dropout))
    if len(pair) != 2:
        raise ValueError(f"dropout={dropout!r} must be p or (p_input, p_hidden)")
    for p in pair:
        if not (isinstance(p, int | float) and 0.0 <= p < 1.0):
            raise ValueError(f"dropout={dropout!r}: a drop probability must be in [0, 1)")
    return float(pair[0]), float(pair[1])


class MLP:
    """Fully connected network for classification.

    layer_sizes: [inputs, hidden…, classes], e.g. [2, 16, 16, 2].
    activation: hidden-layer f: "sigmoid", "tanh", "relu", "leaky_relu", "linear".
    loss: "cross_entropy" (softmax + categorical cross-entropy) or "mse" (on the softmax).
    init: "normalized", "he", "small", "zeros", "large" (biases always start at 0).
    dropout: probability p of dropping a unit while training, for input and hidden
        units alike, or a pair (p_input, p_hidden). Inverted dropout: kept units are
        scaled by 1/(1−p) so nothing changes at prediction time.
    seed: int or np.random.Generator for the initial weights and dropout masks.
    """

    def __init__(self, layer_sizes, activation: str = "relu", loss: str = "cross_entropy",
                 init: str = "normalized", dropout: float | tuple[float, float] = 0.0,
                 seed: Seed = 0):
        sizes = [int(s) for s in layer_sizes]
        if len(sizes) < 2 or min(sizes) < 1 or list(layer_sizes) != sizes:
            raise ValueError(f"layer_sizes={layer_sizes!r} must be ≥ 2 positive integers")
        if loss not in LOSSES:
            raise ValueError(f"loss={loss!r} is not one of {sorted(LOSSES)}")
        self.layer_sizes = tuple(sizes)
        self.activation = get_activation(activation)
        self.loss_name = loss
        self.init_name = init
        self.p_input, self.p_hidden = _dropout_pair(dropout)
        self.rng = np.random.default_rng(seed)

        n_params = sum(m * n + n for m, n in pairwise(sizes))
        self._params = np.zeros(n_params)
        self.layers = self._layers(self._params)
        for layer in self.layers:
            layer.W[...] = init_weights(init, *layer.W.shape, self.rng)
        self._kept_views: tuple[np.ndarray, list[Layer]] | None = None  # see _layers_of
        self._segment_starts = np.array([s.start for layer in self.layers
                                         for s in (layer.w_slice, layer.b_slice)])
        # L1/L2 penalise weights, not biases: a mask over θ selects the weights.
        self.weight_mask = np.zeros(n_params, dtype=bool)
        for layer in self.layers:
            self.weight_mask[layer.w_slice] = True

    # -- parameters -----------------------------------------------------------

    def _layers(self, flat: np.ndarray) -> list[Layer]:
        """Views W^m (n_in, n_out) and b^m into a flat vector laid out like θ."""
        layers, offset = [], 0
        for m, n in pairwise(self.layer_sizes):
            w_slice = slice(offset, offset + m * n)
            b_slice = slice(w_slice.stop, w_slice.stop + n)
            offset = b_slice.stop
            layers.append(Layer(flat[w_slice].reshape(m, n), flat[b_slice], w_slice, b_slice))
        return layers

    @property
    def params(self) -> np.ndarray:
        """θ: every weight and bias, flat. Assigning copies into the same buffer."""
        return self._params

    @params.setter
    def params(self, value: np.ndarray) -> None:
        value = np.asarray(value, dtype=np.float64)
        if value.shape != self._params.shape:
            raise ValueError(f"params must have shape {self._params.shape}, got {value.shape}")
        self._params[...] = value  # keep the layers' views valid

    def set_dropout(self, dropout: float | tuple[float, float]) -> None:
        """Change the drop probabilities between training steps."""
        self.p_input, self.p_hidden = _dropout_pair(dropout)

    def set_activation(self, activation: str) -> None:
        """Change the hidden layers' activation f; θ stays as it is."""
        self.activation = get_activation(activation)

    def identical_hidden_units(self) -> list[bool]:
        """Per hidden layer: do all its units have the same incoming weights and bias?

        True after a zero initialization, forever: every unit computes the same
        thing and gets the same gradient (the symmetry problem).
        """
        same = []
        for layer in self.layers[:-1]:
            columns = np.vstack([layer.W, layer.b])
            same.append(bool(layer.W.shape[1] > 1 and np.all(columns == columns[:, :1])))
        return same

    @property
    def n_classes(self) -> int:
        return self.layer_sizes[-1]

    def copy(self) -> MLP:
        """An independent network with the same architecture and the same θ."""
        twin = MLP.__new__(MLP)
        twin.__dict__.update(self.__dict__)
        twin.rng = copy.deepcopy(self.rng)  # same future dropout masks
        twin._params = self._params.copy()
        twin.layers = twin._layers(twin._params)
        twin._kept_views = None
        return twin

    # -- forward and backward ---------------------------------------------------

    def _mask(self, shape, p: float, rng: np.random.Generator) -> np.ndarray | None:
        if p == 0.0:
            return None
        return (rng.random(shape) >= p) / (1.0 - p)

    def _forward(self, X: np.ndarray, *, training: bool,
                 rng: np.random.Generator | None) -> Forward:
        """z^m for every layer, a^m (after dropout; a^0 = X), f(z^m) before dropout, masks."""
        rng = self.rng if rng is None else rng
        p_input, p_hidden = (self.p_input, self.p_hidden) if training else (0.0, 0.0)
        f = self.activation.f
        a = np.asarray(X, dtype=np.float64)
        mask = self._mask(a.shape, p_input, rng)
        if mask is not None:
            a = a * mask
        masks = [mask]
        activations, zs, fz = [a], [], []
        for layer in self.layers[:-1]:
            z = self._affine(a, layer)
            zs.append(z)
            a = f(z)
            fz.append(a)
            mask = self._mask(a.shape, p_hidden, rng)
            if mask is not None:
                a = a * mask
            masks.append(mask)
            activations.append(a)
        zs.append(self._affine(a, self.layers[-1]))
        return Forward(zs, activations, fz, masks)

    @staticmethod
    def _affine(a: np.ndarray, layer: Layer) -> np.ndarray:
        """z = a W + b. (np.dot, not @: it has less overhead on matrices this small,
        and training makes several such products per step.)"""
        z = np.dot(a, layer.W)
        z += layer.b
        return z

    def scores(self, X: np.ndarray) -> np.ndarray:
        """The output scores c (logits), without dropout."""
        X = np.asarray(X, dtype=np.float64)
        # A whole data set goes through in blocks of rows: the allocator recycles small
        # arrays, while large ones come fresh from the OS (page faults) every time.
        block = max(1, _BLOCK_VALUES // max(self.layer_sizes))
        if X.ndim != 2 or len(X) <= block:
            return self._scores(X)
        return np.concatenate([self._scores(X[i:i + block]) for i in range(0, len(X), block)])

    def _scores(self, X: np.ndarray) -> np.ndarray:
        a = X
        for layer in self.layers[:-1]:
            z = self._affine(a, layer)
            a = self.activation.f(z, out=z)  # f(z) overwrites z: one array less
        return self._affine(a, self.layers[-1])

    def activations(self, X: np.ndarray) -> list[np.ndarray]:
        """Every layer's output for the rows of X, from the forward pass the network trains
        with (no dropout): the inputs first, then each hidden layer's f(z^m), then the
        output layer's softmax probabilities; each of shape (rows, units)."""
        forward = self._forward(X, training=False, rng=None)
        return [forward.activations[0], *forward.fz, softmax(forward.zs[-1])]

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Softmax probabilities y' for each row of X."""
        return softmax(self.scores(X))

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The class with the highest score for each row of X."""
        return np.argmax(self.scores(X), axis=1)

    def _targets(self, Y: np.ndarray) -> np.ndarray:
        if isinstance(Y, np.ndarray) and Y.ndim == 2 and Y.dtype == np.float64:
            return Y  # already one-hot rows, as the Trainer passes them
        Y = np.asarray(Y)
        return one_hot(Y, self.n_classes) if Y.ndim == 1 else np.asarray(Y, dtype=np.float64)

    def penalty(self, l1: float = 0.0, l2: float = 0.0) -> tuple[float, np.ndarray | None]:
        """λ₂·½‖w‖₂² + λ₁·½‖w‖₁ over the weights (the course text's Ω(θ)) and its gradient."""
        if l1 == 0.0 and l2 == 0.0:
            return 0.0, None
        w = np.where(self.weight_mask, self._params, 0.0)
        value = 0.5 * l2 * float(w @ w) + 0.5 * l1 * float(np.abs(w).sum())
        return value, l2 * w + 0.5 * l1 * np.sign(w)

    def backprop(self, X: np.ndarray, Y: np.ndarray, *, l1: float = 0.0, l2: float = 0.0,
                 training: bool = False, rng: np.random.Generator | None = None,
                 out: np.ndarray | None = None, forward: Forward | None = None) -> Backprop:
        """J(θ) on (X, Y) and ∂J/∂θ, with every layer's error term δ^m.

        Y is one-hot (rows, classes) or integer labels. `training=True` applies
        dropout with `rng` (the network's own generator if None). ∂J/∂θ is written
        into `out` (a C-contiguous float64 array shaped like params) if given, else into
        a new array. `forward` is this network's forward pass on X if the caller already
        has it (then `training` and `rng` are not used).
        """
        if forward is None:
            forward = self._forward(X, training=training, rng=rng)
        data_loss, delta = LOSSES[self.loss_name](forward.zs[-1], self._targets(Y))
        deltas = [delta]  # δ^M = ∂J/∂z^M, then the _backward pass adds δ^{M−1} … δ^1
        grad = self._backward(forward, delta, out, deltas)
        deltas.reverse()
        penalty = self._add_penalty(grad, l1, l2)
        return Backprop(data_loss + penalty, data_loss, grad, deltas)

    def gradient(self, X: np.ndarray, Y: np.ndarray, *, l1: float = 0.0, l2: float = 0.0,
                 training: bool = False, rng: np.random.Generator | None = None,
                 out: np.ndarray | None = None,
                 scores: list[np.ndarray] | None = None) -> np.ndarray:
        """∂J/∂θ alone, as backprop computes it: a training step needs no J (for
        cross-entropy it is then not computed at all; MSE computes it on the way).
        The output scores c of the forward pass are appended to `scores` if given: J can
        be computed from them later, for many steps at once (engine.training)."""
        forward = self._forward(X, training=training, rng=rng)
        if scores is not None:
            scores.append(forward.zs[-1])
        delta = LOSS_GRADIENTS[self.loss_name](forward.zs[-1], self._targets(Y))
        grad = self._backward(forward, delta, out)
        self._add_penalty(grad, l1, l2)
        return grad

    def _backward(self, forward: Forward, delta: np.ndarray, out: np.ndarray | None,
                  deltas: list[np.ndarray] | None = None) -> np.ndarray:
        """∂J/∂θ from δ^M = ∂J/∂z^M, going back layer by layer; δ^m appended to `deltas`."""
        zs, activations, fz, masks = forward
        grad = np.empty_like(self._params) if out is None else out
        grad_layers = self._layers_of(grad)
        ones = np.ones(len(delta))
        df = self.activation.df
        for m in range(len(self.layers) - 1, -1, -1):
            layer, grad_layer = self.layers[m], grad_layers[m]
            # written straight into θ's layout: no temporaries, no copies
            np.dot(activations[m].T, delta, out=grad_layer.W)
            np.dot(ones, delta, out=grad_layer.b)  # Σ_rows δ as 1ᵀδ: BLAS beats np.sum here
            if m == 0:
                return grad
            delta = np.dot(delta, layer.W.T)  # (W^{m+1})^T δ^{m+1}, in row form
            if masks[m] is not None:
                delta *= masks[m]
            delta *= df(zs[m - 1], fz[m - 1])  # δ^m = f'(z^m) ⊙ …
            if deltas is not None:
                deltas.append(delta)
        return grad

    def _layers_of(self, flat: np.ndarray) -> list[Layer]:
        """Views W^m, b^m into a flat vector laid out like θ (∂J/∂θ, say). The views of
        the last vector asked about are kept: training passes the same one every step."""
        kept = self._kept_views
        if kept is None or kept[0] is not flat:
            if not (isinstance(flat, np.ndarray) and flat.dtype == np.float64
                    and flat.shape == self._params.shape and flat.flags.c_contiguous):
                raise ValueError(f"out must be a C-contiguous float64 array of shape "
                                 f"{self._params.shape}, like params")
            kept = self._kept_views = (flat, self._layers(flat))
        return kept[1]

    def _add_penalty(self, grad: np.ndarray, l1: float, l2: float) -> float:
        """Add the penalty's gradient to `grad`; return the penalty."""
        if l1 == 0.0 and l2 == 0.0:
            return 0.0
        value, penalty_grad = self.penalty(l1, l2)
        grad += penalty_grad
        return value

    def loss_and_grad(self, X: np.ndarray, Y: np.ndarray, *, l1: float = 0.0, l2: float = 0.0,
                      training: bool = False, rng: np.random.Generator | None = None,
                      out: np.ndarray | None = None):
        """(J, ∂J/∂θ) with ∂J/∂θ flat like `params` (written into `out` if given)."""
        result = self.backprop(X, Y, l1=l1, l2=l2, training=training, rng=rng, out=out)
        return result.loss, result.grad

    def loss(self, X: np.ndarray, Y: np.ndarray) -> float:
        """The data loss J on (X, Y) without dropout or penalty."""
        return LOSSES[self.loss_name](self.scores(X), self._targets(Y))[0]

    def evaluate(self, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        """(data loss, accuracy) on (X, y) from a single forward pass, without dropout."""
        c = self.scores(X)
        Y = self._targets(y)
        loss = LOSSES[self.loss_name](c, Y)[0]
        labels = y if np.ndim(y) == 1 else np.argmax(Y, axis=1)
        return loss, float(np.mean(np.argmax(c, axis=1) == labels))

    def layer_grad_norms(self, grad: np.ndarray) -> np.ndarray:
        """‖∂J/∂W^m‖ (Frobenius) for m = 1 … M, from a flat gradient."""
        return np.sqrt(self.segment_squares(grad)[::2])

    def segment_squares(self, grad: np.ndarray, *, out: np.ndarray | None = None,
                        scratch: np.ndarray | None = None) -> np.ndarray:
        """Σ g² over each segment of a flat gradient, in θ's order: W¹, b¹, W², b², …

        One pass over θ. `out` (2M values) and `scratch` (like θ) are optional buffers.
        """
        squares = np.multiply(grad, grad, out=scratch)
        return np.add.reduceat(squares, self._segment_starts, out=out)
