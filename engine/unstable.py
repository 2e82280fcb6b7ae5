"""The unstable gradient problem, measured on a network at initialization.

Backpropagation multiplies one factor per layer (the course text's chain):
    δ¹ = f'(z¹) (W²)ᵀ f'(z²) (W³)ᵀ … f'(z^{M−1}) (W^M)ᵀ ∂J/∂z^M
so ‖δ^m‖ changes by roughly |f'(z^m)| · ‖W^{m+1}‖ from one layer to the one below.
Sigmoid's f' is at most 0.25: with modest weights the product shrinks layer after
layer (vanishing gradients); large weights make it grow (exploding gradients).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.network import MLP, Forward

# "Within an order of magnitude": the largest layer's norm at most this many times the
# smallest one's.
ORDER_OF_MAGNITUDE = 10.0


def spread(norms: np.ndarray) -> float:
    """How far apart the layers' norms are: the largest over the smallest (1 = all equal);
    infinite when a norm is 0 (no gradient at all there) or not finite."""
    norms = np.asarray(norms, dtype=np.float64)
    if not norms.size or not np.all(np.isfinite(norms)) or norms.min() <= 0:
        return float("inf")
    return float(norms.max() / norms.min())


@dataclass(frozen=True)
class LayerNorms:
    """How big each layer's gradient is: what the page's panels plot."""

    delta_norms: np.ndarray  # (M,) RMS over the batch of ‖δ^m‖ for m = 1 … M
    weight_grad_norms: np.ndarray  # (M,) ‖∂J/∂W^m‖ = ‖(a^{m−1})ᵀ δ^m‖: what a step changes

    @property
    def weight_spread(self) -> float:
        """spread of the weight gradients ‖∂J/∂W^m‖ over the layers."""
        return spread(self.weight_grad_norms)

    @property
    def delta_spread(self) -> float:
        """spread of the error terms ‖δ^m‖ over the layers."""
        return spread(self.delta_norms)

    @property
    def steady(self) -> bool:
        """Every layer's weight gradient and error term within an order of magnitude of
        every other layer's."""
        return max(self.weight_spread, self.delta_spread) <= ORDER_OF_MAGNITUDE

    @property
    def per_layer_factor(self) -> float:
        """What one step back through a hidden layer multiplies the error term by, on
        average: (‖δ¹‖ / ‖δ^M‖)^(1/(M−1)); < 1 vanishing, > 1 exploding (0 or NaN when an
        error term is 0 or not finite)."""
        steps = len(self.delta_norms) - 1
        with np.errstate(all="ignore"):
            return float((self.delta_norms[0] / self.delta_norms[-1]) ** (1 / max(steps, 1)))


@dataclass(frozen=True)
class GradientProfile(LayerNorms):
    """The layer norms and the factors of the chain that makes them."""

    slopes: np.ndarray  # (M−1,) mean |f'(z^m)| of each hidden layer
    weight_gains: np.ndarray  # (M−1,) spectral norm ‖W^{m+1}‖₂ that δ^{m+1} passes through

    @property
    def factors(self) -> np.ndarray:
        """Typical shrink (< 1) or growth (> 1) from δ^{m+1} to δ^m."""
        return self.slopes * self.weight_gains


def layer_norms(net: MLP, X: np.ndarray, Y: np.ndarray,
                forward: Forward | None = None) -> LayerNorms:
    """Every layer's error term δ^m and weight gradient, from one backpropagation
    (through `forward`, net's forward pass on X, if given)."""
    with np.errstate(all="ignore"):  # a "large" initialization may saturate or overflow
        result = net.backprop(X, Y, forward=forward)
        # RMS over the rows of ‖δ^m‖: √(Σ δ² / rows), the sum of squares as one dot product
        norms = np.sqrt([np.vdot(d, d) / len(d) for d in result.deltas])
    return LayerNorms(norms, net.layer_grad_norms(result.grad))


def chain_factors(net: MLP, X: np.ndarray,
                  forward: Forward | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The chain's factors for each hidden layer m: mean |f'(z^m)| and ‖W^{m+1}‖₂
    (from `forward`, net's forward pass on X, if given)."""
    with np.errstate(all="ignore"):
        if forward is None:
            forward = net._forward(X, training=False, rng=None)
        slopes = np.array([np.mean(np.abs(net.activation.df(z, a)))
                           for z, a in zip(forward.zs[:-1], forward.fz, strict=True)])
    return slopes, spectral_norms([layer.W for layer in net.layers[1:]])


def gradient_profile(net: MLP, X: np.ndarray, Y: np.ndarray) -> GradientProfile:
    """The layer norms, and the factors |f'(z^m)| and ‖W^{m+1}‖₂ of the chain."""
    norms = layer_norms(net, X, Y)
    return GradientProfile(norms.delta_norms, norms.weight_grad_norms, *chain_factors(net, X))


def spectral_norms(matrices: list[np.ndarray]) -> np.ndarray:
    """‖W‖₂, the largest singular value, of each matrix; equal shapes share one batched SVD
    (a deep network's hidden layers are all width × width)."""
    norms = np.empty(len(matrices))
    shapes = [w.shape for w in matrices]
    for shape in dict.fromkeys(shapes):
        where = [i for i, s in enumerate(shapes) if s == shape]
        stack = np.stack([matrices[i] for i in where])
        norms[where] = np.linalg.svd(stack, compute_uv=False)[:, 0]
    return norms


# The gradients page runs nine such networks per slider move, and their cost grows with
# the rows. 128 inputs tell the same story as 256 at half the time: for sigmoid,
# normalized, depth 20, layer 21's gradient is 13.3 decades above layer 1's on average
# over 12 seeds, against 13.5 with 256 (the seeds themselves differ by 0.5).
PROBE_ROWS = 128


def deep_network(activation: str, init: str, *, depth: int, width: int, seed: int,
                 n_samples: int = PROBE_ROWS) -> tuple[MLP, np.ndarray, np.ndarray]:
    """A fresh `depth`-hidden-layer network, random 2D inputs and 2 random classes."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, 2))
    y = rng.integers(0, 2, n_samples)
    return MLP([2, *[width] * depth, 2], activation=activation, init=init, seed=seed), X, y


def deep_network_norms(activation: str, init: str, **network) -> LayerNorms:
    """layer_norms of a `deep_network` (same keyword arguments)."""
    return layer_norms(*deep_network(activation, init, **network))


def deep_network_norms_by_activation(activations, init: str,
                                     passes: dict[str, HiddenPass] | None = None, **network
                                     ) -> dict[str, LayerNorms]:
    """deep_network_norms for each activation, from one network whose activation is
    switched in turn: deep_network draws the same weights, inputs and classes whatever
    the activation, so they are drawn once.

    `passes` (activation → HiddenPass) lends the hidden layers' forward passes of
    earlier calls with the same initialization, width and seed, at any depth, and
    receives the passes of this call; see HiddenPass."""
    net, X, y = deep_network(activations[0], init, **network)
    norms = {}
    for name in activations:
        net.set_activation(name)
        norms[name] = layer_norms(net, X, y, _forward_keeping(net, X, passes))
    return norms


def deep_network_factors(activation: str, init: str,
                         passes: dict[str, HiddenPass] | None = None, **network
                         ) -> tuple[np.ndarray, np.ndarray]:
    """chain_factors of a `deep_network` (same keyword arguments); `passes` as in
    deep_network_norms_by_activation."""
    net, X, _ = deep_network(activation, init, **network)
    return chain_factors(net, X, _forward_keeping(net, X, passes))


def deep_network_profile(activation: str, init: str, **network) -> GradientProfile:
    """gradient_profile of a `deep_network` (same keyword arguments)."""
    return gradient_profile(*deep_network(activation, init, **network))


# ---------------------------------------------------------------- reusing the forward pass


@dataclass(frozen=True, eq=False)
class HiddenPass:
    """A deep_network's forward pass through its hidden layers, kept for other depths.

    deep_network draws its layers one after another from one generator, so the first d
    hidden layers of a deeper network with the same initialization, width and seed are
    the depth-d network's own, and so are their z^m and f(z^m): only the output layer
    differs. So a pass made at one depth serves every smaller depth, and a deeper network
    only adds its new layers to it. The forward pass is about three quarters of the cost
    of the norms (sigmoid's exp and tanh: NumPy vectorizes neither for float64 without
    AVX-512); the backward pass is the rest. Its arrays are read only: a pass may be shared.
    """

    activation: str
    X: np.ndarray  # the inputs a⁰
    sizes: tuple[int, ...]  # the network's layer sizes up to layer d: inputs, widths
    hidden_params: np.ndarray  # W¹, b¹, …, W^d, b^d: the part of θ the pass ran through
    zs: tuple[np.ndarray, ...]  # z¹ … z^d
    fz: tuple[np.ndarray, ...]  # f(z¹) … f(z^d)

    @property
    def depth(self) -> int:
        return len(self.zs)


def hidden_pass(net: MLP, X: np.ndarray, reuse: HiddenPass | None = None) -> HiddenPass:
    """net's hidden layers on X, without dropout. If `reuse` ran through net's first
    layers (same activation, inputs, layer sizes and weights), those are taken from it and
    the deeper of the two passes is returned: it serves both depths. Otherwise the pass
    is computed afresh."""
    depth = len(net.layers) - 1
    zs, fz = [], []
    if reuse is not None and _runs_through(reuse, net, X, min(depth, reuse.depth)):
        if reuse.depth >= depth:
            return reuse
        zs, fz = list(reuse.zs), list(reuse.fz)
    a = fz[-1] if fz else X
    with np.errstate(all="ignore"):  # as in layer_norms
        for layer in net.layers[len(zs):depth]:  # MLP._forward's hidden layers, no dropout
            zs.append(z := net._affine(a, layer))
            fz.append(a := net.activation.f(z))
    X, params = X.copy(), net.params[:_hidden_end(net, depth)].copy()
    for array in (X, params, *zs, *fz):
        array.flags.writeable = False  # a pass may be shared
    return HiddenPass(net.activation.name, X, net.layer_sizes[:depth + 1], params,
                      tuple(zs), tuple(fz))


def _runs_through(hidden: HiddenPass, net: MLP, X: np.ndarray, depth: int) -> bool:
    """Did `hidden` run through net's first `depth` hidden layers on X?"""
    end = _hidden_end(net, depth)
    return (hidden.activation == net.activation.name
            and hidden.sizes[:depth + 1] == net.layer_sizes[:depth + 1]
            and np.array_equal(hidden.X, X)
            and np.array_equal(hidden.hidden_params[:end], net.params[:end]))


def forward_through(net: MLP, hidden: HiddenPass) -> Forward:
    """net's forward pass, without dropout, from a hidden_pass of net at least as deep:
    its first hidden layers, then net's own output layer."""
    depth = len(net.layers) - 1
    fz = list(hidden.fz[:depth])
    with np.errstate(all="ignore"):
        scores = net._affine(fz[-1] if fz else hidden.X, net.layers[-1])
    return Forward([*hidden.zs[:depth], scores], [hidden.X, *fz], fz, [None] * (depth + 1))


def _forward_keeping(net: MLP, X: np.ndarray, passes: dict[str, HiddenPass] | None) -> Forward:
    """net's forward pass on X, through the pass kept in `passes` for net's activation
    where it serves; the pass used is kept there in its place."""
    name = net.activation.name
    hidden = hidden_pass(net, X, None if passes is None else passes.get(name))
    if passes is not None:
        passes[name] = hidden
    return forward_through(net, hidden)


def _hidden_end(net: MLP, depth: int) -> int:
    """Where the parameters of hidden layers 1 … depth end in θ."""
    return net.layers[depth - 1].b_slice.stop if depth else 0
