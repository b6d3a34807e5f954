"""SynthSeg-style synthetic training samples from the 20 whole-head label maps of `shared/data/synthseg/`
(Apache-2.0, Billot et al. 2023): images with PERFECT labels and random contrast, so the model learns
"the structure at the click" from boundaries rather than from one scanner's intensities.

Per sample (on the 128^3 crop only, ~0.2 s): a label map at 1.5 mm RAS+ (resampled once with nearest
neighbour and cached as .npy), a target among its brain structures (probability ~ sqrt(voxels)), the crop
centred near one of its voxels (the app's first click), then for every generation class (SynthSeg's
`generation_classes`: left/right twins share one) a random mean and spread, a partial-volume blur, a smooth
multiplicative bias field, a gamma, and the runtime's z-normalisation; flips and 90-degree rotations.
Label values SynthSeg names 'background' (extra-cerebral tissue) are context, never targets.
"""
from __future__ import annotations

import glob
import os
from typing import Dict, List, Optional, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from scipy import ndimage

from .. import preprocess
from .augment import flip_rotate
from .cache import REPO_ROOT
from .sampler import Sample

DEFAULT_CACHE = os.path.join(REPO_ROOT, '.cache', 'train', 'synthseg')


class SynthSegGenerator:
    def __init__(self, root: str, rng: np.random.Generator, size: int = 128, cache_dir: Optional[str] = None,
                 min_voxels: int = 30, max_maps: Optional[int] = None) -> None:
        self.rng, self.size, self.min_voxels = rng, size, min_voxels
        priors = os.path.join(root, 'priors')
        labels = np.load(os.path.join(priors, 'generation_labels.npy')).astype(np.int64)
        classes = np.load(os.path.join(priors, 'generation_classes.npy')).astype(np.int64)
        self.class_of = np.zeros(int(labels.max()) + 1, dtype=np.int64)
        self.class_of[labels] = classes
        self.n_classes = int(classes.max()) + 1
        seg_labels = np.load(os.path.join(priors, 'synthseg_segmentation_labels.npy')).astype(np.int64)
        names = np.load(os.path.join(priors, 'synthseg_segmentation_names.npy'), allow_pickle=True)
        self.targets = {int(v) for v, n in zip(seg_labels, names) if int(v) > 0 and str(n) != 'background'}
        files = sorted(glob.glob(os.path.join(root, 'label_maps', '*.nii.gz')))[:max_maps]
        if not files:
            raise FileNotFoundError(f'no label maps under {root}/label_maps')
        self.maps = [self._load(f, cache_dir or DEFAULT_CACHE) for f in files]
        self._voxels: Dict[Tuple[int, int], np.ndarray] = {}

    def _load(self, path: str, cache_dir: str) -> Tuple[str, np.ndarray, Dict[int, int]]:
        key = os.path.basename(path).replace('.nii.gz', '')
        npy = os.path.join(cache_dir, f'{key}_1.5mm.npy')
        if os.path.isfile(npy):
            lab = np.load(npy)
        else:
            data, aff = preprocess.load(path)
            res, res_aff = preprocess.resample(np.rint(data).astype(np.int32), aff, 1.5, order=0)
            lab, _ = preprocess.to_canonical(res, res_aff)
            lab = np.ascontiguousarray(lab).astype(np.uint16)
            os.makedirs(cache_dir, exist_ok=True)
            tmp = os.path.join(cache_dir, f'.{os.getpid()}.{key}.npy')
            np.save(tmp, lab)
            os.replace(tmp, npy)
        values, counts = np.unique(lab, return_counts=True)
        targets = {int(v): int(c) for v, c in zip(values, counts) if int(v) in self.targets and c >= self.min_voxels}
        return key, lab, targets

    def _voxels_of(self, mi: int, value: int) -> np.ndarray:
        k = (mi, value)
        if k not in self._voxels:
            self._voxels[k] = np.argwhere(self.maps[mi][1] == value).astype(np.int32)
        return self._voxels[k]

    def intensities(self, lab: np.ndarray) -> np.ndarray:
        """A random-contrast image of the label crop (before z-normalisation), float32."""
        rng, s = self.rng, lab.shape[0]
        means = rng.uniform(10, 240, size=self.n_classes).astype(np.float32)
        spreads = rng.uniform(1, 25, size=self.n_classes).astype(np.float32)
        cls = self.class_of[np.minimum(lab, len(self.class_of) - 1)]
        img = means[cls] + spreads[cls] * rng.standard_normal(size=lab.shape, dtype=np.float32)
        img = ndimage.gaussian_filter(img, sigma=float(rng.uniform(0.3, 1.2)), truncate=2.5)
        coarse = torch.from_numpy(rng.normal(0, float(rng.uniform(0, 0.3)), size=(1, 1, 4, 4, 4)).astype(np.float32))
        field = F.interpolate(coarse, size=lab.shape, mode='trilinear', align_corners=True)[0, 0].numpy()
        img = np.clip(img * np.exp(field), 1e-3, None)
        img /= img.max()
        return np.power(img, np.float32(np.exp(rng.uniform(-0.3, 0.3)))) * np.float32(255)

    def sample(self) -> Sample:
        rng = self.rng
        for _ in range(20):
            mi = int(rng.integers(len(self.maps)))
            key, lab_map, targets = self.maps[mi]
            values = sorted(targets)
            w = np.sqrt(np.array([targets[v] for v in values], dtype=np.float64))
            value = values[int(rng.choice(len(values), p=w / w.sum()))]
            vox = self._voxels_of(mi, value)
            centre = vox[int(rng.integers(len(vox)))] + rng.integers(-6, 7, size=3)
            start = [int(c) - self.size // 2 for c in centre]
            lab = preprocess.crop_or_pad(lab_map, start, self.size)
            target = lab == value
            if not target.any():
                continue
            try:
                image, _, _, _ = preprocess.z_normalise(self.intensities(lab))
            except ValueError:
                continue
            image, target = flip_rotate(image, target, rng)
            return Sample(image.astype(np.float32), target, f'synthseg/{key}', value)
        raise RuntimeError('could not draw a SynthSeg sample')


def default_root() -> str:
    from .split import shared_dir
    return os.path.join(shared_dir(), 'data', 'synthseg')


def mixed_sampler(primary, synthseg: Optional[SynthSegGenerator], p: float, rng: np.random.Generator):
    """A callable drawing from `synthseg` with probability p, else from `primary` (a TargetSampler)."""
    def draw() -> Sample:
        if synthseg is not None and rng.random() < p:
            return synthseg.sample()
        return primary.sample()
    return draw


__all__: List[str] = ['SynthSegGenerator', 'default_root', 'mixed_sampler']
