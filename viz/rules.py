"""Each optimizer's update rule in the seed's symbols, filled in with the current values,
and what to look for in the race."""

from __future__ import annotations


def _n(value: float) -> str:
    """A number for LaTeX: 1e-07 becomes 10^{-7}."""
    text = f"{value:g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        power = f"10^{{{int(exponent)}}}"
        return power if mantissa == "1" else rf"{mantissa} \cdot {power}"
    return text


def _scaled_step(h: dict[str, float]) -> str:
    """AdaGrad's and RMSProp's shared update θ(k) = θ(k−1) − α/(δ + √r) ⊙ g."""
    rate = rf"\frac{{{_n(h['lr'])}}}{{{_n(h['eps'])} + \sqrt{{\mathbf{{r}}}}}}"
    return rf"\theta(k) &= \theta(k-1) - {rate} \odot \mathbf{{g}}"


def _lines(*lines: str) -> str:
    """Equations stacked and aligned at their = signs (a panel is narrow)."""
    return r"\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}"


def filled_rule(name: str, h: dict[str, float]) -> str:
    """LaTeX of the update with the slider values in place of α, λ, ρ, δ, β₁, β₂, μ."""
    grad = r"\nabla J(\theta(k-1))"
    if name == "sgd":
        return rf"\theta(k) = \theta(k-1) - {_n(h['lr'])}\,{grad}"
    if name == "momentum":
        return _lines(rf"\mathbf{{v}}(k) &= {_n(h['momentum'])}\,\mathbf{{v}}(k-1) - "
                      rf"{_n(h['lr'])}\,{grad}",
                      r"\theta(k) &= \theta(k-1) + \mathbf{v}(k)")
    if name == "nesterov":
        lam = _n(h["momentum"])
        return _lines(rf"\mathbf{{v}}(k) &= {lam}\,\mathbf{{v}}(k-1) - {_n(h['lr'])}\,"
                      rf"\nabla J(\theta(k-1) + {lam}\,\mathbf{{v}}(k-1))",
                      r"\theta(k) &= \theta(k-1) + \mathbf{v}(k)")
    if name == "adagrad":
        return _lines(r"\mathbf{r} &= \mathbf{r} + \mathbf{g}^2", _scaled_step(h))
    if name == "rmsprop":
        rho = _n(h["rho"])
        return _lines(rf"\mathbf{{r}} &= {rho}\,\mathbf{{r}} + (1 - {rho})\,\mathbf{{g}}^2",
                      _scaled_step(h))
    if name == "adam":
        b1, b2 = _n(h["beta1"]), _n(h["beta2"])
        return _lines(rf"\mathbf{{s}} &= {b1}\,\mathbf{{s}} + (1-{b1})\,\mathbf{{g}}",
                      rf"\mathbf{{r}} &= {b2}\,\mathbf{{r}} + (1-{b2})\,\mathbf{{g}}^2",
                      rf"\theta(k) &= \theta(k-1) - {_n(h['lr'])}\,"
                      rf"\frac{{\mathbf{{s}}/(1-{b1}^t)}}"
                      rf"{{{_n(h['eps'])} + \sqrt{{\mathbf{{r}}/(1-{b2}^t)}}}}")
    if name == "newton":
        return (rf"\theta(k) = \theta(k-1) - {_n(h['lr'])}\,(\mathbf{{H}} + {_n(h['damping'])}"
                rf"\,\mathbf{{I}})^{{-1}}\,{grad}")
    raise ValueError(f"no rule for optimizer {name!r}")


WHAT_TO_LOOK_FOR = {
    "sgd": "It follows the steepest slope with a fixed step α. A small α crawls over flat "
           "ground; a large α bounces from wall to wall across a narrow valley, and past a "
           "limit it diverges.",
    "momentum": "The velocity v remembers past gradients, so the particle keeps rolling: "
                "zig-zags across a valley cancel out, and it can coast over small bumps, "
                "but it overshoots and spirals into a minimum. λ acts like (1 − friction).",
    "nesterov": "Like momentum, but it measures the slope at θ + λv, where it is about to "
                "be (show the look-ahead ghost). It sees the far wall before it hits it, so "
                "it brakes earlier and overshoots less.",
    "adagrad": "Each coordinate gets its own step α/(δ + √r). r only ever grows, so the "
               "steps only shrink: fast at first, then it slows down and can stall before "
               "reaching the minimum.",
    "rmsprop": "AdaGrad that forgets: old squared gradients decay at rate ρ, so on flat "
               "ground its step size recovers instead of shrinking forever. Near a minimum "
               "its steps stay about α long, so it hovers.",
    "adam": "Momentum on the gradient (β₁) plus RMSProp's per-coordinate scaling (β₂), with "
            "corrections for the first steps. Each step is about α long whatever the slope, "
            "so plateaus do not slow it down.",
    "newton": "It uses the curvature H to jump to where the local quadratic model is flat. "
              "On a bowl that is the minimum in one step, but it jumps to saddles and maxima "
              "just as readily: the course text's warning about second-order methods.",
}
