"""End-to-end fixture for the promptable U-Net's ONNX parity test (packages/runtime/test/unetParity.test.ts):
train the tiny configuration for a few steps on two small real volumes (the real training command),
export it (the real export), and write PyTorch's outputs on a real crop for onnxruntime to match.

  python -m models.export.unet_reference --out DIR [--steps 4]

DIR/model/          encoder.onnx, decoder.onnx, model.json (tiny-unet, 32^3 crop)
DIR/reference/      input.npy (1,1,32,32,32), embedding.npy, logits_1.npy (first click, zero mask),
                    logits_2.npy (both clicks + logits_1 as mask input), iou_2.npy, clicks.json
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile

import numpy as np
import torch

from .. import preprocess
from ..data.split import shared_dir
from ..train import train
from .unet_export import export_unet_folder, load_trained

CASES = (('sct_spine', 't2'), ('monai', 'anatomical'))


def link_data(root: str) -> str:
    for dataset, case in CASES:
        os.makedirs(os.path.join(root, dataset), exist_ok=True)
        for kind in ('img', 'seg'):
            dst = os.path.join(root, dataset, f'{case}_{kind}.nii.gz')
            if not os.path.exists(dst):
                os.symlink(os.path.join(shared_dir(), 'data', 'volumes', dataset, f'{case}_{kind}.nii.gz'), dst)
    return root


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description='train + export the tiny promptable U-Net and write PyTorch reference outputs')
    p.add_argument('--out', required=True)
    p.add_argument('--steps', type=int, default=4)
    a = p.parse_args(argv)
    os.makedirs(a.out, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix='fsx-unet-') as tmp:
        data = link_data(os.path.join(tmp, 'data'))
        run = os.path.join(a.out, 'run')
        train.main(['--config', 'tiny-unet', '--out', run, '--data', data, '--cache', os.path.join(tmp, 'cache'),
                    '--steps', str(a.steps), '--clicks', '3', '--lr', '2e-3', '--warmup', '1', '--log-every', '1'])
    model, config = load_trained(os.path.join(run, 'checkpoint.pt'))
    model.eval()
    export_unet_folder(model, config, os.path.join(a.out, 'model'), name='tiny-unet-reference',
                       checkpoint='models.export.unet_reference', sha256=None)

    img, aff = preprocess.load(os.path.join(shared_dir(), 'data', 'volumes', 'sct_spine', 't2_img.nii.gz'))
    centre = (aff @ np.array([s / 2 for s in img.shape[:3]] + [1.0]))[:3]
    crop = preprocess.prepare_model_crop(img, aff, centre, size=model.config.img_size)
    ref = os.path.join(a.out, 'reference')
    os.makedirs(ref, exist_ok=True)
    clicks = {'coords': [[15.0, 16.0, 14.0], [9.25, 20.5, 18.75]], 'labels': [1.0, 0.0]}
    with torch.no_grad():
        x = torch.from_numpy(crop.input)[None, None]
        emb = model.encode(x)
        low = model.config.low_res
        coords = torch.tensor([clicks['coords']])
        labels = torch.tensor([clicks['labels']])
        l1, _ = model.decode(emb, coords[:, :1], labels[:, :1], torch.zeros(1, 1, low, low, low), torch.ones(1))
        l2, iou2 = model.decode(emb, coords, labels, l1, torch.ones(1))
    for name, t in (('input', x), ('embedding', emb), ('logits_1', l1), ('logits_2', l2), ('iou_2', torch.sigmoid(iou2))):
        np.save(os.path.join(ref, f'{name}.npy'), t.numpy().astype(np.float32))
    with open(os.path.join(ref, 'clicks.json'), 'w') as fh:
        json.dump(clicks, fh)
    print(f'wrote {a.out}')
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
