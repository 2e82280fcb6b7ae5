"""The unstable gradient problem, measured on a network at initialization.

Backpropagation multiplies one factor per layer (the seed's chain):
    δ¹ = f'(z¹) (W²)ᵀ f'(z²) (W³)ᵀ … f'(z^{M−1}) (W^M)ᵀ ∂J/∂z^M
so ‖δ^m‖ changes by roughly |f'(z^m)| · ‖W^{m+1}‖ from one layer to the one below.
Sigmoid's f' is at most 0.25: with modest weights the product shrinks layer after
layer (vanishing gradients); large weights make it grow (exploding gradients).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.network import MLP


@dataclass(frozen=True)
class GradientProfile:
    delta_norms: np.ndarray  # (M,) RMS over the batch of ‖δ^m‖ for m = 1 … M
    weight_grad_norms: np.ndarray  # (M,) ‖∂J/∂W^m‖ = ‖(a^{m−1})ᵀ δ^m‖: what a step changes
    slopes: np.ndarray  # (M−1,) mean |f'(z^m)| of each hidden layer
    weight_gains: np.ndarray  # (M−1,) spectral norm ‖W^{m+1}‖₂ that δ^{m+1} passes through

    @property
    def factors(self) -> np.ndarray:
        """Typical shrink (< 1) or growth (> 1) from δ^{m+1} to δ^m."""
        return self.slopes * self.weight_gains


def gradient_profile(net: MLP, X: np.ndarray, Y: np.ndarray) -> GradientProfile:
    """Measure every layer's error term δ^m and the factors of the chain that makes it."""
    with np.errstate(all="ignore"):  # a "large" initialization may saturate or overflow
        result = net.backprop(X, Y)
        zs, _, fz, _ = net._forward(X, training=False, rng=None)
        norms = np.array([np.sqrt(np.mean(np.sum(d * d, axis=1))) for d in result.deltas])
        slopes = np.array([np.mean(np.abs(net.activation.df(z, a)))
                           for z, a in zip(zs[:-1], fz, strict=True)])
        gains = np.array([np.linalg.norm(layer.W, 2) for layer in net.layers[1:]])
    return GradientProfile(norms, net.layer_grad_norms(result.grad), slopes, gains)


def deep_network_profile(activation: str, init: str, *, depth: int, width: int, seed: int,
                         n_samples: int = 256) -> GradientProfile:
    """A fresh `depth`-hidden-layer network on random 2D inputs and 2 random classes."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, 2))
    y = rng.integers(0, 2, n_samples)
    net = MLP([2, *[width] * depth, 2], activation=activation, init=init, seed=seed)
    return gradient_profile(net, X, y)
