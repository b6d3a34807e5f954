"""PyTorch reference run of one encode + decode, for comparing onnxruntime against PyTorch on a real crop.

    python -m models.export.reference --variant fastsam3d --input crop.npy --points "p0,p1,p2;..." \
        --labels "1,0" [--mask-input low.npy] [--has-mask 1|0] [--checkpoint F.pth [--teacher T.pth]] --out-dir D

crop.npy: float32 [128,128,128] (or [1,1,128,128,128]) C-order over (a0,a1,a2), already z-normalised.
Points are crop voxel indices (p0,p1,p2) along (a0,a1,a2), floats allowed; labels 1 = positive, 0 = negative.
Without --mask-input the mask is all zeros and has-mask defaults to 1 (the eval's first click, spec §8.3).
Weights: the golden recipe, or --checkpoint. Writes embedding.npy (1,384,8,8,8), low_res_logits.npy
(1,1,32,32,32) and iou.npy (1,1), float32 - the same quantities the ONNX graphs output.
"""
import argparse
import os
import sys
from typing import List, Optional

import numpy as np
import torch

from ..checkpoint import CheckpointError, load_model
from ..golden import golden_model
from ..modeling.registry import VARIANTS


class ReferenceInputError(ValueError):
    pass


def parse_points(text: str) -> np.ndarray:
    try:
        pts = [[float(v) for v in p.split(',')] for p in text.split(';') if p.strip()]
    except ValueError as exc:
        raise ReferenceInputError(f'--points must look like "p0,p1,p2;p0,p1,p2": {exc}') from exc
    if not pts or any(len(p) != 3 for p in pts):
        raise ReferenceInputError(f'--points must hold one or more triples "p0,p1,p2" separated by ";", got {text!r}')
    arr = np.asarray(pts, dtype=np.float32)
    if not np.all(np.isfinite(arr)):
        raise ReferenceInputError('--points must be finite numbers')
    return arr


def parse_labels(text: str, count: int) -> np.ndarray:
    try:
        labels = [float(v) for v in text.split(',') if v.strip()]
    except ValueError as exc:
        raise ReferenceInputError(f'--labels must be comma-separated 1/0 values: {exc}') from exc
    if len(labels) != count:
        raise ReferenceInputError(f'{len(labels)} label(s) for {count} point(s)')
    if any(v not in (0.0, 1.0) for v in labels):
        raise ReferenceInputError(f'labels must be 1 (positive) or 0 (negative), got {labels}')
    return np.asarray(labels, dtype=np.float32)


def load_array(path: str, shape: tuple, what: str) -> np.ndarray:
    arr = np.load(path)
    if arr.dtype != np.float32:
        raise ReferenceInputError(f'{what} must be float32, got {arr.dtype}')
    if arr.size != int(np.prod(shape)) or arr.shape not in (shape, shape[2:]):
        raise ReferenceInputError(f'{what} must have shape {shape[2:]} or {shape}, got {arr.shape}')
    if not np.all(np.isfinite(arr)):
        raise ReferenceInputError(f'{what} contains NaN or infinity')
    return np.ascontiguousarray(arr).reshape(shape)


@torch.no_grad()
def run_reference(model, image: np.ndarray, points: np.ndarray, labels: np.ndarray, mask: np.ndarray, has_mask: bool):
    emb = model.encode(torch.from_numpy(image))
    mask_t = torch.from_numpy(mask) if has_mask else None
    low, iou = model.decode(emb, torch.from_numpy(points)[None], torch.from_numpy(labels)[None], mask_t)
    return emb.numpy(), low.numpy(), iou.numpy()


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog='python -m models.export.reference', description='PyTorch reference encode+decode')
    parser.add_argument('--variant', choices=VARIANTS, default='fastsam3d')
    parser.add_argument('--input', required=True)
    parser.add_argument('--points', required=True)
    parser.add_argument('--labels', required=True)
    parser.add_argument('--mask-input')
    parser.add_argument('--has-mask', choices=('0', '1'), default='1')
    parser.add_argument('--checkpoint')
    parser.add_argument('--teacher')
    parser.add_argument('--out-dir', required=True)
    args = parser.parse_args(argv)
    torch.set_num_threads(int(os.environ.get('OMP_NUM_THREADS', '1')))
    try:
        if args.checkpoint:
            model = load_model(args.checkpoint, args.variant, args.teacher).model
        else:
            model = golden_model(args.variant)
        s = model.image_encoder.img_size
        low = 4 * model.image_encoder.grid_size
        image = load_array(args.input, (1, 1, s, s, s), '--input')
        points = parse_points(args.points)
        labels = parse_labels(args.labels, len(points))
        mask = load_array(args.mask_input, (1, 1, low, low, low), '--mask-input') if args.mask_input else np.zeros((1, 1, low, low, low), np.float32)
    except (ReferenceInputError, CheckpointError, OSError) as exc:
        print(f'reference: {exc}', file=sys.stderr)
        return 2
    emb, logits, iou = run_reference(model, image, points, labels, mask, args.has_mask == '1')
    os.makedirs(args.out_dir, exist_ok=True)
    for name, arr in (('embedding', emb), ('low_res_logits', logits), ('iou', iou)):
        np.save(os.path.join(args.out_dir, f'{name}.npy'), arr.astype(np.float32))
    print(f'reference: wrote embedding.npy {emb.shape}, low_res_logits.npy {logits.shape}, iou.npy {iou.shape} to {args.out_dir}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
