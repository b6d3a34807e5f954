"""Held-out evaluation with the paper's protocol (spec §9): per target, the 128^3 crop centred on the GT
bounding box (torchio CropOrPad rule, spec §8.1; `--crop first-click` centres it on the first simulated click
instead, as the app does), runtime preprocessing, clicks simulated per §9.1 (ritm 1-2, random 3..K, the
0.5-logit quirk, numpy RNG seeded), only the newest click + previous low-res logits per step, Dice inside the
crop after each click.

  python -m models.train.evaluate --checkpoint F.pt --config NAME [--data DIR ...]
         [--side held_out] [--clicks 1,3,5,10] [--crop gt-center|first-click] [--seed 2023] [--json out.json]

A non-learned baseline (region growing from the same simulated clicks) is reported beside the model.
Every label value of a pair is a target; targets with fewer than --min-voxels voxels at 1.5 mm are skipped and
reported. Groups in the summary: brain tumour (BRATS, TCIA glioblastoma), MS lesion, CT organ (all / large:
>= --large-voxels voxels), other.
"""
from __future__ import annotations

import argparse
import json
import os
import time
from typing import Dict, List, Optional

import numpy as np
import torch

from .. import preprocess
from ..checkpoint import extract_state_dict
from ..data.split import SPLIT_PATH
from ..modeling.registry import CONFIGS, build_sam3d
from ..modeling.sam3d import Sam3D
from .clicks import EVAL_LOGIT_THRESHOLD
from .common import default_data, load_volumes
from .interactive import dice_score, evaluate_target


def region_grow(image: np.ndarray, point, tolerance: float) -> np.ndarray:
    """The 6-connected component of |image - image[point]| <= tolerance that contains `point`."""
    from scipy import ndimage
    similar = np.abs(image - image[tuple(point)]) <= tolerance
    labels, _ = ndimage.label(similar)
    return labels == labels[tuple(point)]


def baseline_target(image: np.ndarray, target: np.ndarray, num_clicks: int, rng: np.random.Generator,
                    tolerance: float = 0.5) -> List[float]:
    """Non-learned contrast with the same click simulation: every positive click adds its region-grown
    component (intensity within `tolerance` z-units), every negative click removes its component."""
    from .clicks import next_click
    pred = np.zeros(target.shape, dtype=bool)
    dices: List[float] = []
    for k in range(num_clicks):
        click = next_click(np.where(pred, 1.0, -1.0) if k else None, target, k, rng, EVAL_LOGIT_THRESHOLD)
        if click is None:
            dices.append(dices[-1] if dices else float('nan'))
            continue
        region = region_grow(image, click.point, tolerance)
        pred = pred | region if click.label == 1 else pred & ~region
        dices.append(dice_score(pred, target))
    return dices


def load_trained(path: str, config: str) -> Sam3D:
    """A model from a training checkpoint (checkpoint.pt: {'model': ...}), a distillation student.pt or any
    state-dict format models/checkpoint.py accepts. Strict: every key must fit `config`."""
    obj = torch.load(path, map_location='cpu')
    if isinstance(obj, dict) and 'model' in obj and isinstance(obj['model'], dict):
        obj = obj['model']
    state = extract_state_dict(obj, os.path.basename(path))
    model = build_sam3d(config)
    model.load_state_dict(state, strict=True)
    return model.eval()


def group_of(key: str, modality_ct: bool) -> str:
    dataset = key.split('/')[0]
    if dataset in ('brats2013_deepmedic', 'tcia_brain_tumor_progression') or key in ('pyradiomics/brain1',):
        return 'brain tumour'
    if dataset == 'open_ms_data':
        return 'MS lesion'
    if modality_ct:
        return 'CT organ'
    return 'other'


CT_KEYS = ('totalsegmentator/example_ct', 'totalsegmentator/example_ct_sm', 'totalsegmentator/example_ct_dicom', 'dcmqi/ct_3slice')
CT_DATASETS = ('openkbp', 'clara_msd_spleen', 'slicer_tutorial_cc')


def gt_centre_crop(volume, target: np.ndarray, size: int):
    idx = np.nonzero(target)
    lo = [int(i.min()) for i in idx]
    hi = [int(i.max()) + 1 for i in idx]
    start = preprocess.torchio_crop_start(lo, hi, size)
    return start


def evaluate(model: Sam3D, volumes, clicks: List[int], seed: int, crop: str = 'gt-center', min_voxels: int = 10,
             large_voxels: int = 10000, log=print, baseline: bool = True) -> Dict:
    size = model.image_encoder.img_size
    rng = np.random.default_rng(seed)
    rng_baseline = np.random.default_rng(seed + 1)  # its own stream: the model's clicks do not depend on it
    torch.manual_seed(seed)
    k_max = max(clicks)
    cases, skipped = [], []
    for vol in volumes:
        is_ct = vol.key in CT_KEYS or vol.key.split('/')[0] in CT_DATASETS
        targets = [(value, count, None) for value, count in sorted(vol.targets.items())]
        if vol.key.startswith('brats2013_deepmedic/') and len(vol.targets) > 1:
            # BRATS sub-regions are each a target; the whole tumour (their union) is the natural click target too
            targets.append(('whole tumour', sum(vol.targets.values()), vol.label > 0))
        for value, count, union in targets:
            if count < min_voxels:
                skipped.append({'case': vol.key, 'label': value, 'voxels': count, 'reason': f'< {min_voxels} voxels at 1.5 mm'})
                continue
            full = vol.label == value if union is None else union
            if crop == 'gt-center':
                start = gt_centre_crop(vol, full, size)
            else:  # first-click: the app's crop, centred on the ritm first click computed on the whole volume
                from .clicks import next_click
                c = next_click(None, full, 0, rng, EVAL_LOGIT_THRESHOLD)
                start = [p - size // 2 for p in c.point]
            img = preprocess.crop_or_pad(vol.image, start, size)
            target = preprocess.crop_or_pad(full.astype(np.uint8), start, size).astype(bool)
            try:
                image, _, _, _ = preprocess.z_normalise(img)
            except ValueError as exc:
                skipped.append({'case': vol.key, 'label': value, 'voxels': count, 'reason': str(exc)})
                continue
            t = time.time()
            d = evaluate_target(model, image, target, k_max, rng, EVAL_LOGIT_THRESHOLD)
            b = baseline_target(image, target, k_max, rng_baseline) if baseline else None
            group = group_of(vol.key, is_ct)
            if union is not None:
                group = 'brain tumour (whole)'
            if group == 'CT organ' and count >= large_voxels:
                group = 'CT organ (large)'
            rec = {'case': vol.key, 'label': value, 'voxels': count, 'voxels_in_crop': int(target.sum()), 'group': group,
                   'dice': {str(k): d[k - 1] for k in clicks}, 'dice_per_click': d, 'seconds': round(time.time() - t, 2)}
            if b is not None:
                rec['baseline'] = {str(k): b[k - 1] for k in clicks}
            cases.append(rec)
            log(f"{vol.key} label {value} ({group}, {count} vox): " + ' '.join(f'{k}:{d[k - 1]:.3f}' for k in clicks))
    def mean_of(recs, field='dice'):
        recs = [r for r in recs if field in r]
        return {str(k): (float(np.nanmean([r[field][str(k)] for r in recs])) if recs else None) for k in clicks}
    groups = sorted({r['group'] for r in cases})
    def summary(recs):
        return {'n': len(recs), 'mean': mean_of(recs), 'baseline_region_growing': mean_of(recs, 'baseline')}
    by_group = {g: summary([r for r in cases if r['group'] == g]) for g in groups}
    ct_all = [r for r in cases if r['group'].startswith('CT organ')]
    if ct_all:
        by_group['CT organ (all)'] = summary(ct_all)
    # mean over cases (pairs) of their per-target means, so a 31-label CT does not outweigh everything else
    per_case = {}
    for r in cases:
        per_case.setdefault(r['case'], []).append(r)
    case_means = {c: mean_of(rs) for c, rs in per_case.items()}
    return {
        'protocol': {'crop': crop, 'clicks': clicks, 'seed': seed, 'click_threshold_logit': EVAL_LOGIT_THRESHOLD,
                     'prediction_threshold_logit': 0.0, 'min_voxels': min_voxels, 'large_voxels': large_voxels},
        'clicks': clicks,
        'mean': mean_of(cases),
        'baseline_region_growing': {'method': 'union/removal of 6-connected components within 0.5 z-units of each click, same click simulation',
                                    'mean': mean_of(cases, 'baseline')},
        'groups': by_group,
        'case_means': case_means,
        'cases': cases,
        'skipped': skipped,
    }


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(description='held-out Dice with the spec §9.1 click simulation (PyTorch)')
    p.add_argument('--checkpoint', required=True)
    p.add_argument('--config', required=True, choices=sorted(CONFIGS))
    p.add_argument('--data', nargs='+', default=None)
    p.add_argument('--split', default=SPLIT_PATH)
    p.add_argument('--cache', default=None)
    p.add_argument('--side', default='held_out', choices=('held_out', 'train'))
    p.add_argument('--clicks', default='1,3,5,10')
    p.add_argument('--crop', default='gt-center', choices=('gt-center', 'first-click'))
    p.add_argument('--seed', type=int, default=2023)
    p.add_argument('--min-voxels', type=int, default=10)
    p.add_argument('--only', nargs='*', default=None, help='evaluate only these pair keys')
    p.add_argument('--json', default=None)
    a = p.parse_args(argv)
    torch.set_num_threads(1)
    clicks = sorted({int(x) for x in a.clicks.split(',')})
    model = load_trained(a.checkpoint, a.config)
    volumes = load_volumes(a.data or [default_data()], a.side, a.split, a.cache)
    if a.only:
        volumes = [v for v in volumes if v.key in a.only]
    result = evaluate(model, volumes, clicks, a.seed, a.crop, a.min_voxels)
    result['model'] = {'checkpoint': a.checkpoint, 'config': a.config}
    print(json.dumps({'mean': result['mean'], 'groups': result['groups']}, indent=1))
    if a.json:
        with open(a.json, 'w') as fh:
            json.dump(result, fh, indent=1)
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
