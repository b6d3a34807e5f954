"""Click simulation, exactly as model spec §9.1 (FastSAM3D `validation_student.py`), and the error maps
it works on.

  clicks 1-2 ('ritm'): FN = GT & !pred, FP = !GT & pred; exact Euclidean distance transform of each, computed
      with a one-voxel zero border (edt's black_border=True); positive iff max(FN dist) > max(FP dist); one
      voxel drawn uniformly among the chosen map's voxels with distance > max(dmaxFN, dmaxFP) / 2; label 1 if
      it is in FN else 0.
  clicks 3..K ('random'): one voxel drawn uniformly from FN | FP; label 1 if in FN else 0.

pred is `prev_logits > threshold`: eval reproduces the official quirk threshold 0.5 on LOGITS (probability
0.62); training uses the served threshold 0. When both error sets are empty the official code crashes; here
`next_click` returns None (nothing left to correct) and callers stop clicking.

Arrays are (S,S,S) over the crop axes (a0,a1,a2); a click is the voxel index (p0,p1,p2) in that order.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple

import numpy as np
from scipy import ndimage

EVAL_LOGIT_THRESHOLD = 0.5   # the official eval quirk (spec §9.1), eval only
SERVE_LOGIT_THRESHOLD = 0.0  # what the app serves (sigmoid > 0.5)


@dataclass(frozen=True)
class Click:
    point: Tuple[int, int, int]
    label: int          # 1 include (in FN), 0 exclude (in FP)
    method: str         # 'ritm' or 'random'


def edt_black_border(mask: np.ndarray) -> np.ndarray:
    """Exact EDT of a bool mask with every voxel outside the array counted as background: the same as
    `edt.edt(np.pad(mask, 1), black_border=True)[1:-1, 1:-1, 1:-1]`. Computed on the mask's bounding box
    plus a one-voxel zero shell, which is exact: the nearest background voxel of any foreground voxel is
    at most as far as its projection onto that shell (integer, background)."""
    out = np.zeros(mask.shape, dtype=np.float64)
    if not mask.any():
        return out
    idx = np.nonzero(mask)
    lo = [int(i.min()) for i in idx]
    hi = [int(i.max()) + 1 for i in idx]
    box = np.pad(mask[lo[0]:hi[0], lo[1]:hi[1], lo[2]:hi[2]], 1)
    d = ndimage.distance_transform_edt(box)[1:-1, 1:-1, 1:-1]
    out[lo[0]:hi[0], lo[1]:hi[1], lo[2]:hi[2]] = d
    return out


def error_maps(prev_logits: Optional[np.ndarray], gt: np.ndarray, threshold: float) -> Tuple[np.ndarray, np.ndarray]:
    """(FN, FP) bool maps of the prediction prev_logits > threshold (None = nothing predicted yet)."""
    gt = gt.astype(bool)
    pred = np.zeros_like(gt) if prev_logits is None else prev_logits > threshold
    return gt & ~pred, ~gt & pred


def ritm_click(fn: np.ndarray, fp: np.ndarray, rng: np.random.Generator) -> Optional[Click]:
    dfn, dfp = edt_black_border(fn), edt_black_border(fp)
    dmax_fn, dmax_fp = float(dfn.max()), float(dfp.max())
    positive = dmax_fn > dmax_fp
    dist = dfn if positive else dfp
    candidates = np.argwhere(dist > max(dmax_fn, dmax_fp) / 2)
    if len(candidates) == 0:  # both error sets empty: the official code crashes here
        return None
    p = candidates[int(rng.integers(len(candidates)))]
    point = (int(p[0]), int(p[1]), int(p[2]))
    return Click(point, 1 if fn[point] else 0, 'ritm')


def random_click(fn: np.ndarray, fp: np.ndarray, rng: np.random.Generator) -> Optional[Click]:
    candidates = np.argwhere(fn | fp)
    if len(candidates) == 0:
        return None
    p = candidates[int(rng.integers(len(candidates)))]
    point = (int(p[0]), int(p[1]), int(p[2]))
    return Click(point, 1 if fn[point] else 0, 'random')


def next_click(
    prev_logits: Optional[np.ndarray], gt: np.ndarray, click_index: int, rng: np.random.Generator,
    threshold: float = EVAL_LOGIT_THRESHOLD,
) -> Optional[Click]:
    """The click number `click_index` (0-based: 0 and 1 are 'ritm', later ones 'random') given the previous
    upsampled logits (S,S,S) (None before the first click) and the GT (S,S,S). None when nothing is wrong."""
    fn, fp = error_maps(prev_logits, gt, threshold)
    if click_index < 2:
        return ritm_click(fn, fp, rng)
    return random_click(fn, fp, rng)
