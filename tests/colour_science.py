"""Colour arithmetic for the palette tests, written out from the standards: sRGB to CIE
Lab (D65), the CIEDE2000 colour difference, WCAG's relative luminance, and colour-vision
deficiency simulated with Machado, Oliveira and Fernandes (2009).

The ΔE2000 code is checked against Sharma, Wu and Dalal's published test pairs in
tests/test_palette.py.
"""

from __future__ import annotations

import numpy as np

# Machado et al. 2009, severity 1.0, applied to linear RGB (as colorspacious and
# DaltonLens do): https://www.inf.ufrgs.br/~oliveira/pubs_files/CVD_Simulation/
MACHADO = {
    "normal": np.eye(3),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779],
                            [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}

_RGB_TO_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375],
                        [0.2126729, 0.7151522, 0.0721750],
                        [0.0193339, 0.1191920, 0.9503041]])
_WHITE = _RGB_TO_XYZ.sum(axis=1)  # D65, Y = 1


def rgb(colour: str) -> np.ndarray:
    """"#rrggbb" as sRGB in 0…1."""
    return np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255.0


def to_linear(srgb: np.ndarray) -> np.ndarray:
    srgb = np.asarray(srgb, dtype=float)
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def to_srgb(linear: np.ndarray) -> np.ndarray:
    linear = np.clip(linear, 0.0, 1.0)
    return np.where(linear <= 0.0031308, 12.92 * linear, 1.055 * linear ** (1 / 2.4) - 0.055)


def seen_as(srgb: np.ndarray, vision: str) -> np.ndarray:
    """sRGB (…, 3) as a reader with `vision` sees it (Machado 2009, severity 1)."""
    return to_srgb(to_linear(srgb) @ MACHADO[vision].T)


def luminance(srgb: np.ndarray) -> np.ndarray:
    """WCAG 2 relative luminance, 0 (black) … 1 (white)."""
    return to_linear(srgb) @ _RGB_TO_XYZ[1]


def contrast_ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    la, lb = luminance(a), luminance(b)
    return (np.maximum(la, lb) + 0.05) / (np.minimum(la, lb) + 0.05)


def lab(srgb: np.ndarray) -> np.ndarray:
    """sRGB (…, 3) in 0…1 to CIE L*a*b* (D65)."""
    xyz = to_linear(srgb) @ _RGB_TO_XYZ.T / _WHITE
    eps, kappa = 216 / 24389, 24389 / 27
    f = np.where(xyz > eps, np.cbrt(xyz), (kappa * xyz + 16) / 116)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]),
                     200 * (f[..., 1] - f[..., 2])], axis=-1)


def delta_e2000(lab1: np.ndarray, lab2: np.ndarray) -> np.ndarray:
    """CIEDE2000 between Lab colours (broadcasting), kL = kC = kH = 1."""
    L1, a1, b1 = np.moveaxis(np.asarray(lab1, dtype=float), -1, 0)
    L2, a2, b2 = np.moveaxis(np.asarray(lab2, dtype=float), -1, 0)
    c_bar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_bar**7 / (c_bar**7 + 25.0**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360
    dl, dc = L2 - L1, c2p - c1p
    dh = h2p - h1p
    dh = np.where(dh > 180, dh - 360, np.where(dh < -180, dh + 360, dh))
    dh = np.where(c1p * c2p == 0, 0.0, dh)
    dH = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh / 2))
    l_bar, cp_bar = (L1 + L2) / 2, (c1p + c2p) / 2
    hsum = h1p + h2p
    h_bar = np.where(np.abs(h1p - h2p) > 180,
                     np.where(hsum < 360, (hsum + 360) / 2, (hsum - 360) / 2), hsum / 2)
    h_bar = np.where(c1p * c2p == 0, hsum, h_bar)
    t = (1 - 0.17 * np.cos(np.radians(h_bar - 30)) + 0.24 * np.cos(np.radians(2 * h_bar))
         + 0.32 * np.cos(np.radians(3 * h_bar + 6)) - 0.20 * np.cos(np.radians(4 * h_bar - 63)))
    d_theta = 30 * np.exp(-(((h_bar - 275) / 25) ** 2))
    rc = 2 * np.sqrt(cp_bar**7 / (cp_bar**7 + 25.0**7))
    sl = 1 + 0.015 * (l_bar - 50) ** 2 / np.sqrt(20 + (l_bar - 50) ** 2)
    sc, sh = 1 + 0.045 * cp_bar, 1 + 0.015 * cp_bar * t
    rt = -np.sin(np.radians(2 * d_theta)) * rc
    return np.sqrt((dl / sl) ** 2 + (dc / sc) ** 2 + (dH / sh) ** 2
                   + rt * (dc / sc) * (dH / sh))


def delta_e(a: np.ndarray, b: np.ndarray, vision: str = "normal") -> np.ndarray:
    """ΔE2000 between sRGB colours as a reader with `vision` sees them."""
    return delta_e2000(lab(seen_as(a, vision)), lab(seen_as(b, vision)))
