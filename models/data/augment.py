"""Augmentations on a model-space crop (image (S,S,S) float32 z-normalised, target (S,S,S) bool).

Geometric ones are applied to image and target together so they stay aligned; flips mirror anatomy
(left/right handedness changes), which is fine for teaching "segment the structure at the click".
"""
from __future__ import annotations

from typing import Tuple

import numpy as np
from scipy import ndimage


def flip_rotate(image: np.ndarray, target: np.ndarray, rng: np.random.Generator) -> Tuple[np.ndarray, np.ndarray]:
    """Random flip of each axis (p 0.5) and a random 90-degree rotation in a random axis plane (cubic crops)."""
    for axis in range(3):
        if rng.random() < 0.5:
            image, target = np.flip(image, axis), np.flip(target, axis)
    k = int(rng.integers(0, 4))
    if k and image.shape[0] == image.shape[1] == image.shape[2]:
        axes = [(0, 1), (0, 2), (1, 2)][int(rng.integers(0, 3))]
        image, target = np.rot90(image, k, axes), np.rot90(target, k, axes)
    return np.ascontiguousarray(image), np.ascontiguousarray(target)


def intensity_jitter(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Contrast (gamma on a rank-preserving map), scale/shift and mild Gaussian noise on the z-normalised crop:
    the runtime z-normalises every crop, so only departures from a pure affine change matter much."""
    out = image.astype(np.float32, copy=True)
    if rng.random() < 0.5:
        lo, hi = float(out.min()), float(out.max())
        if hi > lo:
            u = (out - lo) / (hi - lo)
            out = lo + (hi - lo) * np.power(u, float(np.exp(rng.uniform(-0.4, 0.4))), dtype=np.float32)
            out = (out - out.mean()) / max(float(out.std()), 1e-6) * float(image.std()) + float(image.mean())
    out = out * float(rng.uniform(0.85, 1.15)) + float(rng.uniform(-0.2, 0.2))
    if rng.random() < 0.3:
        out = out + rng.normal(0.0, float(rng.uniform(0.02, 0.1)), size=out.shape).astype(np.float32)
    return out.astype(np.float32)


def random_blob(size: int, radius: float, rng: np.random.Generator) -> np.ndarray:
    """A smooth irregular blob (bool, size^3) of roughly `radius` voxels: an ellipsoid distance field
    perturbed by smoothed noise, thresholded."""
    c = (size - 1) / 2
    axes = radius * rng.uniform(0.6, 1.4, size=3)
    g = np.indices((size, size, size), dtype=np.float32) - c
    rot, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    g = np.tensordot(rot.astype(np.float32), g, axes=1)
    field = np.sqrt(sum((g[a] / axes[a]) ** 2 for a in range(3)))
    noise = ndimage.gaussian_filter(rng.normal(size=(size,) * 3).astype(np.float32), sigma=max(radius / 3, 1.0))
    noise /= max(float(np.abs(noise).max()), 1e-6)
    return field + 0.35 * noise < 1.0


def paste_synthetic_target(image: np.ndarray, rng: np.random.Generator, max_offset: int = 6) -> Tuple[np.ndarray, np.ndarray]:
    """Paste a random smooth blob with its own texture near the crop centre (where the app's first click
    lands). Returns (image, blob mask); the blob is the new target. The blob's mean intensity differs from
    its surroundings by at least 0.6 z-units so a boundary exists to be learned."""
    s = image.shape[0]
    radius = float(rng.uniform(4, 18))
    box = int(2 * np.ceil(radius * 1.6) + 3)
    box = min(box, s)
    blob = random_blob(box, radius, rng)
    if blob.sum() < 20:
        blob[box // 2 - 1: box // 2 + 2, box // 2 - 1: box // 2 + 2, box // 2 - 1: box // 2 + 2] = True
    centre = np.array([s // 2] * 3) + rng.integers(-max_offset, max_offset + 1, size=3)
    start = np.clip(centre - box // 2, 0, s - box)
    sl = tuple(slice(int(a), int(a) + box) for a in start)
    local = image[sl]
    surround = float(local[~blob].mean()) if (~blob).any() else float(image.mean())
    delta = float(rng.uniform(0.6, 2.5)) * (1 if rng.random() < 0.5 else -1)
    texture = ndimage.gaussian_filter(rng.normal(size=blob.shape).astype(np.float32), sigma=float(rng.uniform(0.5, 2.0)))
    texture *= float(rng.uniform(0.1, 0.6)) / max(float(texture.std()), 1e-6)
    soft = ndimage.gaussian_filter(blob.astype(np.float32), sigma=float(rng.uniform(0.3, 1.2)))
    values = surround + delta + texture
    out = image.copy()
    out[sl] = local * (1 - soft) + values * soft
    mask = np.zeros(image.shape, dtype=bool)
    mask[sl] = blob
    return out.astype(np.float32), mask
