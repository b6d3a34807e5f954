"""The one command that reproduces the promptable U-Net weights `models/weights/fastsam-xr-unet/`:

  node scripts/run-python.mjs -m models.train.unet_recipe        (or: npm run model:train)

  1. stage 1: fastsam-xr-unet from scratch on the training subjects of models/data/split.json (`volumes` and
     `volumes_extra`), data-parallel on both cores (--procs 2, one torch thread each: batch 2), resumable
     (rerunning continues where it stopped):
       python -m models.train.train --config fastsam-xr-unet --out .cache/train/fastsam-xr-unet --seed 2023
         --resume --procs 2 --steps 1400 --clicks 4 --lr 1e-3 --pair-power 0.5 --size-power 1.0
         --synthetic-p 0.2 --synthseg-p 0.1 --data <shared>/data/volumes <shared>/data/volumes_extra
     (targets drawn ~ voxels, 10 % SynthSeg heads);
  2. stage 2 ("run g"): from stage 1's weights in fp16 (RUN/weights-fp16.pt), 1000 more steps with
     half of the crops centred exactly on their first click, as the server crops (`--click-centred-p 0.5`),
     --lr 3e-4 --warmup 50 --seed 2024, in .cache/train/fastsam-xr-unet-g. Stage 1 alone had learnt "a
     click at the crop centre is a small target" (its crops were centred on a random target voxel and its
     first click drawn deep inside, so only small targets had their click at the centre);
  3. stage 3 ("run i", not shipped alone): from g, 1200 steps of `fastsam-xr-unet-gated` (the direct global
     logits times a per-voxel gate sigmoid(x) the local head computes, x starting at 3) with 70 % click-centred
     crops, --lr 3e-4 --warmup 30 --seed 2026; its gate hardly moved;
  4. stage 4 ("run j", shipped): from i, 1200 steps of `fastsam-xr-unet-unitgate` (the gate as 2·sigmoid(x),
     x starting at 0: the ungated decoder exactly, slope 0.5; i's saturated gate weights are not read), the
     gate at 10× the learning rate (`--gate-lr-scale 10`), 60 % click-centred crops, --seed 2027;
  5. export encoder.onnx + decoder.onnx + model.json (models/export/unet_export.py) into the weights folder,
     and the weights as fp16 (`weights-fp16.pt`, ~3.5 MB) so a later session continues training from them
     (`--init models/weights/fastsam-xr-unet/weights-fp16.pt`) without this machine's cache.
The learning-rate schedule is recomputed from --steps at every step and the RNG states are restored on
resume, so a stopped run reproduces the shipped one step for step.

The held-out evaluation that decided shipping runs through the runtime (`fastsam-xr eval`, see MODEL_CARD.md).
"""
from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from typing import List, Optional, Tuple

import torch

from ..checkpoint import sha256_file
from ..export.onnx_export import DECODER_FILE, ENCODER_FILE
from ..export.unet_export import export_unet_folder, load_trained
from . import train
from .common import default_data, extra_data

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
CONFIG = 'fastsam-xr-unet'
RUN_DIR = os.path.join(REPO_ROOT, '.cache', 'train', CONFIG)
WEIGHTS_DIR = os.path.join(REPO_ROOT, 'models', 'weights', CONFIG)
FP16_FILE = 'weights-fp16.pt'
DATA_FLAGS = ['--pair-power', '0.5', '--synthetic-p', '0.2', '--size-power', '1.0', '--synthseg-p', '0.1',
              '--clicks', '4']


@dataclass(frozen=True)
class Stage:
    suffix: str          # run folder: RUN_DIR + suffix
    steps: int
    seed: int
    flags: Tuple[str, ...]
    init_from_previous: bool  # start from the previous stage's weights in fp16
    config: str = CONFIG  # a later stage may add decoder parts (keys the previous stage lacks start fresh)


STAGES = (
    Stage('', 1400, 2023, ('--lr', '1e-3'), False),
    Stage('-g', 1000, 2024, ('--lr', '3e-4', '--warmup', '50', '--click-centred-p', '0.5'), True),
    Stage('-i', 1200, 2026, ('--lr', '3e-4', '--warmup', '30', '--click-centred-p', '0.7'), True,
          'fastsam-xr-unet-gated'),
    Stage('-j', 1200, 2027, ('--lr', '3e-4', '--warmup', '30', '--click-centred-p', '0.6', '--gate-lr-scale', '10'),
          True, 'fastsam-xr-unet-unitgate'),
)
SIZE_BUDGET_BYTES = 40 * 1000 * 1000


def save_fp16(checkpoint: str, path: str) -> None:
    """{'config', 'step', 'model' (fp16)} - what `--init` and `unet_export.load_trained` read."""
    state = torch.load(checkpoint, map_location='cpu')
    torch.save({'config': state['config'], 'step': state['step'],
                'model': {k: v.half() if v.is_floating_point() else v for k, v in state['model'].items()}}, path)


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(description='reproduce the shipped fastsam-xr-unet weights')
    p.add_argument('--run-dir', default=RUN_DIR, help='stage folders are this + their suffix')
    p.add_argument('--out', default=WEIGHTS_DIR)
    p.add_argument('--procs', type=int, default=2)
    p.add_argument('--skip-train', action='store_true', help='export the existing last stage only')
    a = p.parse_args(argv)
    torch.set_num_threads(1)
    previous = None
    for stage in STAGES:
        run_dir = a.run_dir + stage.suffix
        if not a.skip_train:
            init = []
            if stage.init_from_previous:
                init = ['--init', os.path.join(previous, FP16_FILE)]
                save_fp16(os.path.join(previous, 'checkpoint.pt'), init[1])
            train.main(['--config', stage.config, '--out', run_dir, '--steps', str(stage.steps), '--seed', str(stage.seed),
                        '--resume', '--procs', str(a.procs), *DATA_FLAGS, *stage.flags, *init,
                        '--data', default_data(), extra_data()])
        previous = run_dir
    a.run_dir = previous
    ckpt = os.path.join(a.run_dir, 'checkpoint.pt')
    model, config = load_trained(ckpt)
    step = torch.load(ckpt, map_location='cpu')['step']
    os.makedirs(a.out, exist_ok=True)
    export_unet_folder(model, config, a.out, name=CONFIG,
                       checkpoint=(f'fastsam-xr training run ({CONFIG}, stages of {"+".join(str(s.steps) for s in STAGES)} '
                                   f'steps, last at step {step}, python -m models.train.unet_recipe)'),
                       sha256=sha256_file(ckpt))
    save_fp16(ckpt, os.path.join(a.out, FP16_FILE))
    total = sum(os.path.getsize(os.path.join(a.out, f)) for f in (ENCODER_FILE, DECODER_FILE))
    print(f'encoder.onnx + decoder.onnx = {total / 1e6:.1f} MB (budget {SIZE_BUDGET_BYTES / 1e6:.0f} MB)')
    if total > SIZE_BUDGET_BYTES:
        raise SystemExit('the exported model exceeds the 40 MB budget')
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
