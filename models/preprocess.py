"""Model-space preprocessing (model spec §8.1) in numpy/scipy/nibabel: the same pipeline as the
runtime's TypeScript (`packages/volume`, `prepareModelCrop`), so training and serving see the same crops.

  1. Resample to 1.5 mm isotropic with torchio `Resample(1.5)` semantics (SimpleITK rules): same
     direction, new size = ceil(old_size * old_spacing / 1.5) (1 stays 1), new voxel 0 at continuous old
     index 0.5 * (1.5/old_spacing - 1); linear for images, nearest for labels; a sample at continuous old
     index x is inside iff -0.5 <= x < size - 0.5, else 0 (inside, neighbours are clamped to the edge).
  2. Reorient to RAS+ (nibabel `as_closest_canonical`, what torchio `ToCanonical` does).
  3. CropOrPad to 128^3: the app centres the window on the voxel nearest a world point
     (floor(index + 0.5)), which lands at crop index 64; zero padding outside the volume.
  4. z-normalisation over the crop's voxels > 0 (mean, unbiased std), applied to every voxel.

Arrays are indexed [i, j, k] as nibabel gives them, so the canonical crop is C-order over (a0, a1, a2),
the model's layout. Command line (used by the TypeScript tests to compare the two implementations):

  python -m models.preprocess IMAGE --point X Y Z --out crop.npz [--spacing 1.5] [--size 128]
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass

import nibabel as nib
import numpy as np
from scipy import ndimage


def load(path: str) -> tuple[np.ndarray, np.ndarray]:
    """Voxel array (scaled as nibabel scales it; first frame of 4D) and the voxel -> RAS affine."""
    img = nib.load(path)
    data = np.asanyarray(img.dataobj)
    if data.ndim > 3:
        data = data[..., 0] if data.ndim == 4 else data.reshape(data.shape[:3] + (-1,))[..., 0]
    return data, img.affine.astype(np.float64)


def resampled_grid(shape, affine: np.ndarray, spacing: float = 1.5):
    """(new shape, new affine, ratio new/old per axis, origin as continuous old index) of torchio's Resample."""
    shape = np.asarray(shape[:3], dtype=np.int64)
    old = np.sqrt((affine[:3, :3] ** 2).sum(axis=0))
    ratio = spacing / old
    new_shape = np.ceil(shape * old / spacing).astype(np.int64)
    new_shape[shape == 1] = 1
    origin = 0.5 * (ratio - 1)
    new_affine = affine.copy()
    new_affine[:3, :3] = affine[:3, :3] * ratio
    new_affine[:3, 3] = affine[:3, :3] @ origin + affine[:3, 3]
    return new_shape, new_affine, ratio, origin


def _inside(coords: np.ndarray, size: int) -> np.ndarray:
    return (coords >= -0.5) & (coords < size - 0.5)


def resample(data: np.ndarray, affine: np.ndarray, spacing: float = 1.5, order: int = 1):
    """torchio Resample(spacing): order 1 (linear, float32 result) for images, 0 (nearest, same dtype) for labels."""
    new_shape, new_affine, ratio, origin = resampled_grid(data.shape, affine, spacing)
    coords = [origin[a] + ratio[a] * np.arange(new_shape[a]) for a in range(3)]
    inside = [_inside(coords[a], data.shape[a]) for a in range(3)]
    mask = inside[0][:, None, None] & inside[1][None, :, None] & inside[2][None, None, :]
    if order == 0:
        # ITK nearest: round half up; indices outside are zeroed by the mask afterwards.
        idx = [np.clip(np.floor(coords[a] + 0.5).astype(np.int64), 0, data.shape[a] - 1) for a in range(3)]
        out = data[np.ix_(idx[0], idx[1], idx[2])].copy()
        out[~mask] = 0
        return out, new_affine
    # Linear with edge clamping (mode='nearest' replicates the border voxel) = ITK inside the buffer.
    out = ndimage.affine_transform(
        data.astype(np.float64), np.diag(ratio), offset=origin, output_shape=tuple(int(n) for n in new_shape),
        order=1, mode='nearest', prefilter=False,
    )
    out[~mask] = 0
    return out.astype(np.float32), new_affine


def to_canonical(data: np.ndarray, affine: np.ndarray):
    """RAS+ reorientation by permutation/flips (nibabel as_closest_canonical)."""
    img = nib.as_closest_canonical(nib.Nifti1Image(data, affine))
    return np.asanyarray(img.dataobj), img.affine


def crop_or_pad(data: np.ndarray, start, size: int) -> np.ndarray:
    """size^3 window starting at voxel `start` (may be negative), zero outside."""
    out = np.zeros((size, size, size), dtype=data.dtype)
    src, dst = [], []
    for a in range(3):
        lo, hi = max(0, start[a]), min(data.shape[a], start[a] + size)
        if hi <= lo:
            return out
        src.append(slice(lo, hi))
        dst.append(slice(lo - start[a], hi - start[a]))
    out[tuple(dst)] = data[tuple(src)]
    return out


def torchio_crop_start(bbox_min, bbox_max_exclusive, target: int = 128):
    """torchio CropOrPad(mask) window start: centre of the mask's bounding box, half-voxel rule."""
    start = []
    for a in range(3):
        c = (bbox_min[a] + bbox_max_exclusive[a]) / 2
        if (target % 2 == 0) != float(c).is_integer():
            c -= 0.5
        start.append(int(c - target / 2))
    return start


def z_normalise(crop: np.ndarray):
    """torchio ZNormalization(masking_method=x > 0): returns (normalised float32, mean, std, count)."""
    values = crop[crop > 0].astype(np.float64)
    if values.size < 2 or values.std(ddof=1) == 0:
        raise ValueError(f'cannot z-normalise: {values.size} voxels > 0 with zero std')
    mean, std = values.mean(), values.std(ddof=1)
    return ((crop.astype(np.float64) - mean) / std).astype(np.float32), mean, std, values.size


@dataclass
class ModelCrop:
    input: np.ndarray  # (size, size, size) float32, C-order over (a0, a1, a2)
    crop_affine: np.ndarray  # crop index -> world RAS mm
    start: list
    mean: float
    std: float
    count: int


def prepare_model_crop(data: np.ndarray, affine: np.ndarray, centre_world_ras, spacing: float = 1.5, size: int = 128) -> ModelCrop:
    res, res_affine = resample(data, affine, spacing, order=1)
    can, can_affine = to_canonical(res, res_affine)
    idx = np.linalg.solve(can_affine, np.append(np.asarray(centre_world_ras, dtype=np.float64), 1.0))[:3]
    start = [int(np.floor(x + 0.5)) - size // 2 for x in idx]
    crop = crop_or_pad(can, start, size)
    normed, mean, std, count = z_normalise(crop)
    crop_affine = can_affine.copy()
    crop_affine[:3, 3] = can_affine[:3, :3] @ np.asarray(start, dtype=np.float64) + can_affine[:3, 3]
    return ModelCrop(normed, crop_affine, start, mean, std, count)


def paste_crop_mask(mask: np.ndarray, crop_affine: np.ndarray, target_shape, target_affine: np.ndarray, into=None) -> np.ndarray:
    """Nearest (round half up) from each target voxel's centre into the crop; voxels outside keep `into`."""
    size = mask.shape[0]
    out = np.zeros(tuple(target_shape[:3]), dtype=np.uint8) if into is None else into.copy()
    M = np.linalg.inv(crop_affine) @ target_affine
    ijk = np.indices(out.shape).reshape(3, -1).astype(np.float64)
    c = M[:3, :3] @ ijk + M[:3, 3:4]
    n = np.floor(c + 0.5).astype(np.int64)
    ok = np.all((n >= 0) & (n < size), axis=0)
    flat = out.reshape(-1)
    flat[ok] = mask[n[0, ok], n[1, ok], n[2, ok]]
    return flat.reshape(out.shape)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('image')
    p.add_argument('--point', type=float, nargs=3, required=True, metavar=('X', 'Y', 'Z'))
    p.add_argument('--out', required=True)
    p.add_argument('--spacing', type=float, default=1.5)
    p.add_argument('--size', type=int, default=128)
    a = p.parse_args(argv)
    data, affine = load(a.image)
    crop = prepare_model_crop(data, affine, a.point, a.spacing, a.size)
    np.savez(a.out, input=crop.input, crop_affine=crop.crop_affine, start=np.asarray(crop.start),
             stats=np.asarray([crop.mean, crop.std, crop.count], dtype=np.float64))
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
