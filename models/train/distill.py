"""Layer-wise progressive distillation of the image encoder (paper §2.2, Eq. 1-2), then logit-level
distillation; the official code's variant (spec §10.2) as an option.

  python -m models.train.distill --student CONFIG --teacher T.pth [--teacher-variant V] --out DIR
         [--method paper|official] [--steps N] [--logit-steps M] [--batch B] [--lr LR] [--resume] [--seed S]

Paper (default, --method paper):
  Eq. 1  L = E_x[ (1/k) sum_{i=1..k} || f_T^(2i)(x) - f_S^(i)(x) ||_2 ]   (student block i <-> teacher block 2i,
         L2 norm of the whole intermediate representation of one sample, averaged over the batch)
  Eq. 2  k = ceil(iter * D / total_iters)   (D = 6 student blocks in the paper; iter counts from 1, so
         k runs 1..D; the paper's run used total_iters = 36, Adam, lr 5e-3, batch 16)
  then `--logit-steps` of logit-level distillation. The encoder's "logits" are its final image embeddings
  (what the official code distils as "labels(logits)", spec §10.2): MSE(student neck output, teacher neck
  output).
Official (--method official, `distillation.py` before 2024-05-04): MSE(student[cur], teacher[cur]) over the
  encoders' official output lists (index j = after block 2j, 0 = patch+pos), ONE pair at a time, cur starting
  at 1 and +1 every `--layer-epoch` epochs of `--epoch-steps` steps; the official code crashes when cur reaches
  the student's neck (shapes differ), here the layer phase ends there and the final-embedding MSE phase
  (the code's current "logit-level" loss) follows for `--logit-steps`.

A student narrower than the teacher (e.g. fastsam3d-xr-small, width 192 vs 768) needs a map between the two
widths: one learned Linear(student width -> teacher width) per matched block (and a 1x1x1 projection of the
embedding when out_chans differ) is trained with the student and thrown away afterwards. With equal widths
(the paper's 768-wide student) no projection exists and the losses are exactly Eq. 1 / the official MSE.

The teacher is loaded through `models/checkpoint.py` (every format the import command accepts: full Sam3D
training checkpoint, bare state dict, `module.`-prefixed), so an imported sam_med3d_turbo.pth works as is.
The result DIR/student.pt is a full Sam3D state dict of the student config: the distilled encoder plus the
teacher's prompt encoder and mask decoder when their width matches (else the student's own, untrained) -
start the decoder fine-tuning from it with `python -m models.train.train --init DIR/student.pt`.
"""
from __future__ import annotations

import argparse
import math
import os
import time
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

from ..checkpoint import load_model
from ..data.sampler import TargetSampler
from ..data.split import SPLIT_PATH
from ..modeling.image_encoder import ImageEncoderViT3D
from ..modeling.registry import CONFIGS, build_sam3d
from .common import (JsonlLog, LOG, default_data, load_checkpoint, load_volumes, restore_rng, rng_state,
                     save_checkpoint, seed_everything)

STUDENT_FILE = 'student.pt'


def block_outputs(encoder: ImageEncoderViT3D, x: torch.Tensor) -> List[torch.Tensor]:
    """[f^(1), ..., f^(D), embedding]: the output of every block (B, G, G, G, C) channels-last, then the neck
    output (B, out_chans, G, G, G). Same arithmetic as encoder.forward."""
    encoder._check_input(x)
    h = encoder.patch_embed(x)
    if encoder.pos_embed is not None:
        h = h + encoder.pos_embed
    out = []
    for block in encoder.blocks:
        h = block(h)
        out.append(h)
    out.append(encoder.neck(h.permute(0, 4, 1, 2, 3)))
    return out


def progressive_k(iteration: int, total_iterations: int, depth: int) -> int:
    """Eq. 2: k = ceil(iteration * depth / total), iteration counted from 1; clamped to [1, depth]."""
    if total_iterations <= 0:
        raise ValueError('total_iterations must be positive')
    return max(1, min(depth, math.ceil(iteration * depth / total_iterations)))


def per_sample_l2(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """|| a - b ||_2 over all but the batch axis, averaged over the batch (the E_x of Eq. 1)."""
    return (a - b).flatten(1).norm(dim=1).mean()


def layerwise_loss(student_blocks: Sequence[torch.Tensor], teacher_blocks: Sequence[torch.Tensor], k: int,
                   projections: Optional[nn.ModuleList] = None) -> torch.Tensor:
    """Eq. 1: (1/k) sum_{i=1..k} || f_T^(2i) - f_S^(i) ||. student_blocks[i-1] = f_S^(i), teacher_blocks[j-1] =
    f_T^(j) (channels-last). projections[i-1] maps student width to teacher width (None: equal widths)."""
    if 2 * k > len(teacher_blocks) or k > len(student_blocks):
        raise ValueError(f'k={k} needs {k} student and {2 * k} teacher blocks')
    total = torch.zeros(())
    for i in range(1, k + 1):
        s = student_blocks[i - 1]
        if projections is not None:
            s = projections[i - 1](s)
        total = total + per_sample_l2(teacher_blocks[2 * i - 1], s)
    return total / k


def official_pair_loss(student_list: Sequence[torch.Tensor], teacher_list: Sequence[torch.Tensor], cur: int,
                       projection: Optional[nn.Module] = None) -> torch.Tensor:
    """Spec §10.2 layer phase: nn.MSELoss()(student[cur], teacher[cur]) on the official output lists."""
    s = student_list[cur] if projection is None else projection(student_list[cur])
    return F.mse_loss(s, teacher_list[cur])


class EmbeddingProjection(nn.Module):
    """1x1x1 map of the student's embedding channels to the teacher's (only when out_chans differ)."""

    def __init__(self, cin: int, cout: int) -> None:
        super().__init__()
        self.proj = nn.Conv3d(cin, cout, kernel_size=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.proj(x)


def _linear_or_none(cin: int, cout: int) -> nn.Module:
    return nn.Identity() if cin == cout else nn.Linear(cin, cout)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description='layer-wise progressive distillation (paper Eq. 1-2) + logit-level distillation')
    p.add_argument('--student', required=True, choices=sorted(CONFIGS), help='student configuration')
    p.add_argument('--teacher', required=True, help='teacher checkpoint (any format the import command accepts)')
    p.add_argument('--teacher-variant', default='sam-med3d-fastsam3d-form', choices=sorted(CONFIGS),
                   help="teacher configuration (default: SAM-Med3D run in FastSAM3D's block form, as preparelabel.py did)")
    p.add_argument('--out', required=True)
    p.add_argument('--method', choices=('paper', 'official'), default='paper')
    p.add_argument('--steps', type=int, default=36, help='layer-wise iterations (paper: 36)')
    p.add_argument('--logit-steps', type=int, default=36, help='logit-level (final embedding) iterations afterwards')
    p.add_argument('--batch', type=int, default=16, help='crops per iteration (paper: 16)')
    p.add_argument('--lr', type=float, default=5e-3, help='Adam learning rate (paper: 5e-3)')
    p.add_argument('--layer-epoch', type=int, default=3, help='official: epochs per layer pair')
    p.add_argument('--epoch-steps', type=int, default=1, help='official: iterations per epoch')
    p.add_argument('--seed', type=int, default=2023)
    p.add_argument('--resume', action='store_true')
    p.add_argument('--data', nargs='+', default=None)
    p.add_argument('--split', default=SPLIT_PATH)
    p.add_argument('--cache', default=None)
    p.add_argument('--ckpt-every-s', type=float, default=300.0)
    return p.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    a = parse_args(argv)
    torch.set_num_threads(1)
    os.makedirs(a.out, exist_ok=True)
    log = JsonlLog(os.path.join(a.out, LOG))
    rng = seed_everything(a.seed)
    loaded = load_model(a.teacher, a.teacher_variant)
    teacher = loaded.model.eval()
    for prm in teacher.parameters():
        prm.requires_grad_(False)
    student = build_sam3d(a.student)
    s_cfg, t_cfg = CONFIGS[a.student], CONFIGS[a.teacher_variant]
    if s_cfg.img_size != t_cfg.img_size or s_cfg.patch_size != t_cfg.patch_size:
        raise SystemExit(f'student {a.student} and teacher {a.teacher_variant} differ in crop or patch size')
    depth = s_cfg.depth
    if a.method == 'paper' and t_cfg.depth < 2 * depth:
        raise SystemExit(f'Eq. 1 pairs student block i with teacher block 2i: the teacher needs >= {2 * depth} blocks, has {t_cfg.depth}')
    # Learned width maps, only when the student is narrower (identity modules otherwise).
    block_proj = nn.ModuleList(_linear_or_none(s_cfg.embed_dim, t_cfg.embed_dim) for _ in range(depth))
    emb_proj = EmbeddingProjection(s_cfg.out_chans, t_cfg.out_chans) if s_cfg.out_chans != t_cfg.out_chans else nn.Identity()
    enc = student.image_encoder.train()
    params = list(enc.parameters()) + list(block_proj.parameters()) + list(emb_proj.parameters())
    opt = torch.optim.Adam(params, lr=a.lr)
    step = 0
    ckpt = load_checkpoint(a.out) if a.resume else None
    if ckpt is not None:
        enc.load_state_dict(ckpt['encoder'])
        block_proj.load_state_dict(ckpt['block_proj'])
        emb_proj.load_state_dict(ckpt['emb_proj'])
        opt.load_state_dict(ckpt['optimizer'])
        restore_rng(rng, ckpt['rng'])
        step = ckpt['step']
    volumes = load_volumes(a.data or [default_data()], 'train', a.split, a.cache, log=print)
    sampler = TargetSampler(volumes, rng, size=s_cfg.img_size, synthetic_p=0.25)
    if ckpt is None:
        log.write({'event': 'start', 'args': vars(a), 'teacher_sha256': loaded.sha256, 'teacher_kind': loaded.kind})
    total = a.steps + a.logit_steps
    last = time.time()

    def checkpoint() -> None:
        save_checkpoint(a.out, {'encoder': enc.state_dict(), 'block_proj': block_proj.state_dict(),
                                'emb_proj': emb_proj.state_dict(), 'optimizer': opt.state_dict(), 'step': step,
                                'rng': rng_state(rng), 'args': vars(a)})

    n_pairs = min(depth, t_cfg.depth) // 2  # official list entries after blocks 2, 4, ... present in both
    layer_steps = a.steps
    while step < total:
        x = torch.from_numpy(np.stack([sampler.sample().image for _ in range(a.batch)]))[:, None]
        with torch.no_grad():
            t_blocks = block_outputs(teacher.image_encoder, x)
        s_blocks = block_outputs(enc, x)
        phase, k, cur = 'logit', None, None
        if a.method == 'paper' and step < layer_steps:
            phase, k = 'layer', progressive_k(step + 1, layer_steps, depth)
            loss = layerwise_loss(s_blocks[:-1], t_blocks[:-1], k, block_proj)
        elif a.method == 'official' and step < layer_steps and 1 + step // (a.layer_epoch * a.epoch_steps) <= n_pairs:
            cur = 1 + step // (a.layer_epoch * a.epoch_steps)
            phase = 'layer'
            # official list index cur = after block 2*cur, for student and teacher alike
            loss = official_pair_loss(s_blocks, t_blocks, 2 * cur - 1, block_proj[2 * cur - 1])
        else:
            if a.method == 'official' and step < layer_steps:
                step = layer_steps  # the official layer phase cannot go past the student's last block pair
                continue
            loss = F.mse_loss(emb_proj(s_blocks[-1]), t_blocks[-1])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        log.write({'event': 'step', 'step': step, 'phase': phase, 'k': k, 'cur': cur, 'loss': float(loss)})
        if time.time() - last >= a.ckpt_every_s:
            checkpoint()
            last = time.time()
    checkpoint()
    # The deliverable: a full Sam3D state dict of the student config.
    state = student.state_dict()
    if s_cfg.out_chans == t_cfg.out_chans:
        for key, value in teacher.state_dict().items():
            if key.startswith(('prompt_encoder.', 'mask_decoder.')):
                state[key] = value.clone()
    torch.save({'model': state, 'config': a.student, 'teacher_sha256': loaded.sha256, 'method': a.method},
               os.path.join(a.out, STUDENT_FILE))
    log.write({'event': 'end', 'step': step, 'student': os.path.join(a.out, STUDENT_FILE)})
    print(f'wrote {os.path.join(a.out, STUDENT_FILE)} after {step} iterations')
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
