"""The demo-CT check of the model card: does the model give a convincing liver, kidney and aorta on the demo
CT (TotalSegmentator `example_ct`, the case `npm start` opens; a TRAINING subject, so not a generalisation
result) from 1-3 clicks?

  python -m models.train.demo_ct --checkpoint .cache/train/RUN/checkpoint.pt [--model models/weights/NAME]
         [--labels 5,2,52] [--clicks 3] [--seed 2023] [--json out.json]

For each organ label:
  * one positive click at the organ's most central voxel (largest Euclidean distance to its boundary, in mm,
    on the input grid), as the app would get it: the 128^3 crop centred on that point (the runtime's
    `prepareModelCrop`, here `models/preprocess.py`), one decoder pass, logits > 0 pasted back onto the
    input grid (nearest); Dice against the label on the input grid and the predicted / GT volume in mL.
    PyTorch with --checkpoint; through the real runtime (`fastsam-xr segment --model DIR`) with --model.
  * clicks 1..K with the spec §9.1 simulation in the GT-centred crop (the held-out protocol of
    `models.train.evaluate`, numpy RNG seeded per organ with --seed), Dice inside the crop (PyTorch).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
from typing import Dict, List, Optional

import numpy as np
import torch
from scipy import ndimage

from .. import preprocess
from ..data.cache import load_cached
from ..data.pairs import Pair
from ..data.split import shared_dir
from .clicks import EVAL_LOGIT_THRESHOLD
from .evaluate import gt_centre_crop, load_trained
from .interactive import dice_score, evaluate_target, upsample

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
NAMES = {5: 'liver', 2: 'kidney_right', 52: 'aorta'}


def demo_paths(data_dir: Optional[str] = None):
    d = data_dir or os.path.join(shared_dir(), 'data', 'volumes', 'totalsegmentator')
    return os.path.join(d, 'example_ct_img.nii.gz'), os.path.join(d, 'example_ct_seg.nii.gz')


def central_voxel(mask: np.ndarray, zooms) -> tuple:
    """The voxel of `mask` farthest (mm) from its boundary; ties -> the first in C order."""
    dist = ndimage.distance_transform_edt(np.pad(mask, 1), sampling=zooms)[1:-1, 1:-1, 1:-1]
    return tuple(int(i) for i in np.unravel_index(int(np.argmax(dist)), mask.shape))


@torch.no_grad()
def one_click_torch(model, image, affine, world) -> np.ndarray:
    size = model.image_encoder.img_size
    crop = preprocess.prepare_model_crop(image, affine, world, size=size)
    emb = model.image_encoder(torch.from_numpy(np.ascontiguousarray(crop.input))[None, None])
    low_size = 4 * model.image_encoder.grid_size
    low = torch.zeros(1, 1, low_size, low_size, low_size)
    c = size // 2
    masks, _, _, _ = model.decode_all(emb, torch.tensor([[[c, c, c]]], dtype=torch.float32),
                                      torch.tensor([[1]], dtype=torch.int64), low)
    pred = (upsample(masks[:, :1], size)[0, 0].numpy() > 0).astype(np.uint8)
    return preprocess.paste_crop_mask(pred, crop.crop_affine, image.shape, affine)


def one_click_runtime(model_dir: str, image_path: str, world) -> np.ndarray:
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, 'mask.nii.gz')
        cmd = ['npx', '--no-install', 'fastsam-xr', 'segment', image_path, '--model', model_dir,
               '--point', ','.join(f'{x:.4f}' for x in world), '--out', out, '--threads', '1']
        subprocess.run(cmd, cwd=REPO_ROOT, check=True, stdout=subprocess.DEVNULL)
        m, _ = preprocess.load(out)
        return (np.asarray(m) > 0).astype(np.uint8)


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(description='demo-CT liver / kidney / aorta check (model card)')
    p.add_argument('--checkpoint', help='PyTorch checkpoint (training checkpoint.pt or state dict)')
    p.add_argument('--config', default='fastsam3d-xr-small')
    p.add_argument('--model', help='exported model folder to run through the runtime (fastsam-xr segment)')
    p.add_argument('--data', default=None, help='folder holding example_ct_img/_seg.nii.gz')
    p.add_argument('--labels', default='5,2,52')
    p.add_argument('--clicks', type=int, default=3)
    p.add_argument('--seed', type=int, default=2023)
    p.add_argument('--json', default=None)
    a = p.parse_args(argv)
    torch.set_num_threads(1)
    img_path, seg_path = demo_paths(a.data)
    image, affine = preprocess.load(img_path)
    seg, _ = preprocess.load(seg_path)
    seg = np.rint(np.asarray(seg)).astype(np.int32)
    zooms = np.sqrt((affine[:3, :3] ** 2).sum(axis=0))
    voxel_ml = float(abs(np.linalg.det(affine[:3, :3]))) / 1000.0
    model = load_trained(a.checkpoint, a.config) if a.checkpoint else None
    vol = None
    if model is not None:
        cached = load_cached(Pair('totalsegmentator/example_ct', img_path, seg_path))  # training's model-space copy
        vol = (cached.image, cached.label)
    rows: List[Dict] = []
    for label in (int(x) for x in a.labels.split(',')):
        gt = seg == label
        ijk = central_voxel(gt, zooms)
        world = (affine @ np.array([*ijk, 1.0]))[:3]
        row: Dict = {'label': label, 'organ': NAMES.get(label, str(label)), 'click_voxel': list(ijk),
                     'click_world_ras': [round(float(x), 3) for x in world], 'gt_ml': round(gt.sum() * voxel_ml, 1)}
        if model is not None:
            pred = one_click_torch(model, image, affine, world).astype(bool)
            row['torch_1click'] = {'dice': round(dice_score(pred, gt), 4), 'pred_ml': round(pred.sum() * voxel_ml, 1)}
            size = model.image_encoder.img_size
            full = vol[1] == label
            start = gt_centre_crop(None, full, size)
            crop_img = preprocess.crop_or_pad(vol[0], start, size)
            target = preprocess.crop_or_pad(full.astype(np.uint8), start, size).astype(bool)
            normed, _, _, _ = preprocess.z_normalise(crop_img)
            d = evaluate_target(model, normed, target, a.clicks, np.random.default_rng(a.seed), EVAL_LOGIT_THRESHOLD)
            row['torch_gt_crop_clicks'] = [round(x, 4) for x in d]
        if a.model:
            pred = one_click_runtime(a.model, img_path, world).astype(bool)
            row['runtime_1click'] = {'dice': round(dice_score(pred, gt), 4), 'pred_ml': round(pred.sum() * voxel_ml, 1)}
        rows.append(row)
        print(json.dumps(row))
    print('| organ (label) | runtime Dice, 1 click | PyTorch Dice, 1 click | predicted / GT mL (PyTorch) | '
          f'PyTorch GT-centred crop, clicks 1..{a.clicks} |')
    print('| --- | --- | --- | --- | --- |')
    for r in rows:
        rt = r.get('runtime_1click', {}).get('dice')
        th = r.get('torch_1click', {})
        print(f"| {r['organ']} ({r['label']}) | {'' if rt is None else f'{rt:.3f}'} | "
              f"{'' if not th else format(th['dice'], '.3f')} | {th.get('pred_ml', '')} / {r['gt_ml']} | "
              f"{' / '.join(f'{x:.3f}' for x in r.get('torch_gt_crop_clicks', []))} |")
    if a.json:
        with open(a.json, 'w') as fh:
            json.dump({'checkpoint': a.checkpoint, 'model': a.model, 'seed': a.seed, 'organs': rows}, fh, indent=1)
            fh.write('\n')
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
