"""One-off cache of the model-space volumes: each pair resampled to 1.5 mm and reoriented to RAS+ through
`models/preprocess.py` (the runtime's pipeline; linear for the image, nearest for the label), stored as .npy
under `.cache/train/volumes/` so training never re-resamples. A cache entry records the source files' sizes
and mtimes and is rebuilt when they change."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Dict, Optional

import numpy as np

from .. import preprocess
from .pairs import Pair

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
DEFAULT_CACHE = os.path.join(REPO_ROOT, '.cache', 'train', 'volumes')


@dataclass
class CachedVolume:
    key: str
    image: np.ndarray       # (X, Y, Z) float32, 1.5 mm, RAS+ index order (a0, a1, a2)
    label: np.ndarray       # (X, Y, Z) integer label map on the same grid
    affine: np.ndarray      # voxel -> world RAS mm
    targets: Dict[int, int]  # label value -> voxel count (values > 0)


def _stamp(pair: Pair) -> Dict:
    return {p: [os.path.getsize(p), int(os.path.getmtime(p))] for p in (pair.image, pair.label)}


def model_space(pair: Pair, spacing: float = 1.5):
    """(image, label, affine) resampled to `spacing` and canonical, exactly as the runtime prepares volumes."""
    img, aff = preprocess.load(pair.image)
    lab, laff = preprocess.load(pair.label)
    if img.shape[:3] != lab.shape[:3] or not np.allclose(aff, laff, atol=1e-3):
        raise ValueError(f'{pair.key}: image and label do not share shape and affine ({img.shape} vs {lab.shape})')
    if not np.issubdtype(lab.dtype, np.integer):
        rounded = np.rint(lab)
        if np.abs(lab - rounded).max() > 1e-3:
            raise ValueError(f'{pair.key}: label map holds non-integer values')
        lab = rounded.astype(np.int32)
    r_img, r_aff = preprocess.resample(img, aff, spacing, order=1)
    r_lab, _ = preprocess.resample(lab, aff, spacing, order=0)
    c_img, c_aff = preprocess.to_canonical(r_img, r_aff)
    c_lab, _ = preprocess.to_canonical(r_lab, r_aff)
    return np.ascontiguousarray(c_img, dtype=np.float32), np.ascontiguousarray(c_lab).astype(np.uint16), c_aff


def load_cached(pair: Pair, cache_dir: Optional[str] = None, spacing: float = 1.5) -> CachedVolume:
    cache_dir = cache_dir or DEFAULT_CACHE
    d = os.path.join(cache_dir, pair.key.replace('/', '__'))
    meta_path = os.path.join(d, 'meta.json')
    stamp = _stamp(pair)
    meta = None
    if os.path.isfile(meta_path):
        with open(meta_path) as fh:
            meta = json.load(fh)
        if meta.get('stamp') != stamp or meta.get('spacing') != spacing:
            meta = None
    if meta is None:
        img, lab, aff = model_space(pair, spacing)
        os.makedirs(d, exist_ok=True)
        # tmp + rename: another process (a data-parallel rank, an eval run) may be reading this entry
        for name, arr in (('image.npy', img), ('label.npy', lab)):
            tmp = os.path.join(d, f'.{os.getpid()}.{name}')
            np.save(tmp, arr)
            os.replace(tmp, os.path.join(d, name))
        values, counts = np.unique(lab, return_counts=True)
        meta = {
            'key': pair.key, 'stamp': stamp, 'spacing': spacing, 'affine': aff.tolist(), 'shape': list(img.shape),
            'targets': {str(int(v)): int(c) for v, c in zip(values, counts) if v > 0},
        }
        tmp = os.path.join(d, f'.{os.getpid()}.meta.json')
        with open(tmp, 'w') as fh:
            json.dump(meta, fh)
        os.replace(tmp, meta_path)
    img = np.load(os.path.join(d, 'image.npy'))
    lab = np.load(os.path.join(d, 'label.npy'))
    return CachedVolume(pair.key, img, lab, np.asarray(meta['affine']), {int(k): v for k, v in meta['targets'].items()})
