"""Train a FastSAM3D-family model from scratch (or from distilled encoder weights) on the labelled volumes.

  python -m models.train.train --config NAME --out DIR [--steps N] [--resume] [--seed S] [--init STATE.pt]
         [--data DIR ...] [--clicks K] [--lr LR] [--until HH:MM] [--ckpt-every-s S] [--procs N]

Each step: one 128^3 sample (random target of a random training pair, crop centred near one of its voxels,
runtime preprocessing, augmentation incl. synthetic blobs), the SAM-Med3D iterative loop of K clicks (spec
§9.1 click rules on the previous prediction, threshold 0), loss = sum over clicks of Dice + BCE on the
upsampled logits, AdamW. Checkpoints (model, optimiser, step, RNG states) every --ckpt-every-s seconds and at
the end; --resume continues from DIR/checkpoint.pt bit-for-bit in its sampling. Progress goes to DIR/log.jsonl.
--procs N trains data-parallel in N processes (one sample each per step, gradients averaged: batch N); rank 0
samples exactly as a single process does, rank r > 0 from its own seed (seed, r).
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import time
from typing import Any, Dict, List, Optional

import numpy as np
import torch

from ..data.sampler import TargetSampler
from ..data.synthseg import SynthSegGenerator, default_root as synthseg_root, mixed_sampler
from ..data.split import SPLIT_PATH
from ..modeling.promptable_unet import UNET_CONFIGS, build_unet
from ..modeling.registry import CONFIGS, build_sam3d
from .common import (JsonlLog, LOG, default_data, load_checkpoint, load_volumes, lr_at, restore_rng, rng_state,
                     save_checkpoint, seed_everything)
from .data_parallel import average_gradients, gather_objects, launch, sum_scalars
from . import interactive, unet_interactive

ALL_CONFIGS = sorted(set(CONFIGS) | set(UNET_CONFIGS))


def build_model(config: str):
    """(model, its train_sample, crop size) for a FastSAM3D-family or a promptable U-Net configuration."""
    if config in UNET_CONFIGS:
        return build_unet(config), unet_interactive.train_sample, UNET_CONFIGS[config].img_size
    return build_sam3d(config), interactive.train_sample, CONFIGS[config].img_size


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description='train a FastSAM3D-family model or the promptable U-Net (Dice + BCE, iterative clicks)')
    p.add_argument('--config', required=True, choices=ALL_CONFIGS)
    p.add_argument('--out', required=True)
    p.add_argument('--steps', type=int, default=5000, help='total optimiser steps (the schedule length)')
    p.add_argument('--resume', action='store_true', help='continue from OUT/checkpoint.pt')
    p.add_argument('--seed', type=int, default=2023)
    p.add_argument('--init', help='state dict (.pt) to start from, e.g. a distilled student; strict=False for the encoder only')
    p.add_argument('--data', nargs='+', default=None, help='folders of pairs (default: the shared volumes)')
    p.add_argument('--split', default=SPLIT_PATH)
    p.add_argument('--cache', default=None, help='cache folder for model-space volumes (default .cache/train/volumes)')
    p.add_argument('--clicks', type=int, default=3,
                   help='clicks per sample (iterative loop; the promptable U-Net draws 1..K per sample)')
    p.add_argument('--lr', type=float, default=3e-4)
    p.add_argument('--weight-decay', type=float, default=0.05)
    p.add_argument('--warmup', type=int, default=100)
    p.add_argument('--gate-lr-scale', type=float, default=1.0,
                   help="the decoder gate's learning rate as a multiple of --lr (parameters named *gate.*)")
    p.add_argument('--synthetic-p', type=float, default=0.25, help='probability of a synthetic blob target')
    p.add_argument('--min-voxels', type=int, default=30)
    p.add_argument('--synthseg-p', type=float, default=0.0,
                   help='probability of a SynthSeg-style synthetic sample from shared/data/synthseg (0 = none)')
    p.add_argument('--size-power', type=float, default=0.0,
                   help='draw a pair\'s targets with probability ~ voxels^p (0 = uniform)')
    p.add_argument('--pair-power', type=float, default=0.0,
                   help='draw pairs with probability ~ (number of targets)^q (0 = uniform)')
    p.add_argument('--click-centred-p', type=float, default=0.0,
                   help='probability of a crop centred on its first click, as the app crops (promptable U-Net)')
    p.add_argument('--until', help='stop (with a checkpoint) at this UTC wall-clock time HH:MM')
    p.add_argument('--stop-at', type=int, default=None,
                   help='stop (with a checkpoint) after this many steps without changing the --steps schedule')
    p.add_argument('--ckpt-every-s', type=float, default=300.0)
    p.add_argument('--log-every', type=int, default=10)
    p.add_argument('--procs', type=int, default=1, help='data-parallel processes (1 torch thread each; batch = procs)')
    p.add_argument('--batch', type=int, default=1,
                   help='samples per process per optimiser step (gradients accumulated; batch = procs x this)')
    p.add_argument('--device', default='cpu', help="torch device, e.g. 'cuda' (the promptable U-Net only; --procs 1)")
    return p.parse_args(argv)


def _deadline(until: Optional[str]) -> Optional[float]:
    if not until:
        return None
    h, m = (int(x) for x in until.split(':'))
    now = dt.datetime.now(dt.timezone.utc)
    t = now.replace(hour=h, minute=m, second=0, microsecond=0)
    if t <= now:
        t += dt.timedelta(days=1)
    return t.timestamp()


def main(argv: Optional[List[str]] = None) -> int:
    a = parse_args(argv)
    if a.procs < 1 or a.batch < 1:
        raise SystemExit('--procs and --batch must be >= 1')
    if a.device != 'cpu' and (a.procs != 1 or a.config not in UNET_CONFIGS):
        raise SystemExit('--device other than cpu: the promptable U-Net configs, with --procs 1')
    if a.procs == 1:
        run(0, 1, a)
    else:
        launch(run, a.procs, a)
    return 0


def param_groups(model: torch.nn.Module, gate_lr_scale: float) -> List[Dict[str, Any]]:
    """AdamW's parameter groups: one, or the gate's parameters apart at `gate_lr_scale` times the rate (a gate
    whose Adam steps are damped by noisy gradients moved 1 % of its range in 1 200 steps: run i)."""
    if gate_lr_scale == 1.0:
        return [{'params': list(model.parameters())}]
    named = list(model.named_parameters())
    gate = [p for n, p in named if 'gate.' in n]
    if not gate:
        raise SystemExit('--gate-lr-scale: this config has no gate parameters')
    rest = [p for n, p in named if 'gate.' not in n]
    return [{'params': rest, 'lr_scale': 1.0}, {'params': gate, 'lr_scale': gate_lr_scale}]


def run(rank: int, world: int, a: argparse.Namespace) -> None:
    """The training loop of one process (rank) of `world`; world 1 is plain single-process training."""
    torch.set_num_threads(1)
    lead = rank == 0
    os.makedirs(a.out, exist_ok=True)
    log = JsonlLog(os.path.join(a.out, LOG))
    rng = seed_everything(a.seed)  # the same model init on every rank
    model, train_sample, size = build_model(a.config)
    model.to(a.device).train()
    if rank > 0:  # rank 0 keeps the single-process stream; the others draw their own samples
        rng = np.random.default_rng([a.seed, rank])
    if a.init:
        state = torch.load(a.init, map_location='cpu')
        state = state.get('model', state)
        missing, unexpected = model.load_state_dict(state, strict=False)
        if lead:
            print(f'init from {a.init}: {len(missing)} missing (kept random), {len(unexpected)} unexpected keys')
    opt = torch.optim.AdamW(param_groups(model, getattr(a, 'gate_lr_scale', 1.0)), lr=a.lr,
                            weight_decay=a.weight_decay)
    step, elapsed = 0, 0.0
    ckpt = load_checkpoint(a.out) if a.resume else None
    if a.resume and ckpt is None and lead:
        print(f'--resume: no checkpoint in {a.out}, starting from scratch')
    volumes = load_volumes(a.data or [default_data()], 'train', a.split, a.cache, log=print if lead else (lambda *_: None))
    sampler = TargetSampler(volumes, rng, size=size, min_voxels=a.min_voxels, synthetic_p=a.synthetic_p,
                            size_power=a.size_power, pair_power=a.pair_power,
                            click_centred_p=getattr(a, 'click_centred_p', 0.0))
    synthseg = SynthSegGenerator(synthseg_root(), rng, size=size) if getattr(a, 'synthseg_p', 0.0) > 0 else None
    draw = mixed_sampler(sampler, synthseg, getattr(a, 'synthseg_p', 0.0), rng)
    if ckpt is not None:
        if ckpt['config'] != a.config:
            raise SystemExit(f'checkpoint in {a.out} is for config {ckpt["config"]!r}, not {a.config!r}')
        model.load_state_dict(ckpt['model'])
        opt.load_state_dict(ckpt['optimizer'])  # moves the moments to the parameters' device
        ranks = ckpt.get('rng_ranks') or [ckpt['rng']]
        if rank < len(ranks):  # a rank the checkpoint did not have keeps its fresh seed
            restore_rng(rng, ranks[rank])
        step, elapsed = ckpt['step'], ckpt.get('elapsed_s', 0.0)
        if lead:
            print(f'resumed at step {step}')
    elif lead:
        log.write({'event': 'start', 'config': a.config, 'args': vars(a), 'train_pairs': [v.key for v in volumes],
                   'targets': len(sampler.targets), 'procs': world})
    deadline = _deadline(a.until)
    last_ckpt = time.time()
    t_start = time.time() - elapsed
    params = [p for p in model.parameters() if p.requires_grad]

    def checkpoint(reason: str) -> None:
        rngs = gather_objects(rng_state(rng), world)  # every rank takes part
        if lead:
            cpu_model = {k: v.detach().cpu() for k, v in model.state_dict().items()}  # loadable without the device
            save_checkpoint(a.out, {'config': a.config, 'model': cpu_model, 'optimizer': opt.state_dict(),
                                    'step': step, 'rng': rngs[0], 'rng_ranks': rngs, 'elapsed_s': time.time() - t_start,
                                    'args': vars(a), 'procs': world})
            log.write({'event': 'checkpoint', 'step': step, 'reason': reason, 'elapsed_s': round(time.time() - t_start, 1)})

    window: List[float] = []
    stop_at = a.steps if a.stop_at is None else min(a.stop_at, a.steps)
    # rank 0 decides for all (ranks reading the clock apart could otherwise disagree at the boundary)
    stopped_early = sum_scalars([float(lead and deadline is not None and time.time() >= deadline)], world)[0] > 0
    while step < stop_at and not stopped_early:
        for g in opt.param_groups:
            g['lr'] = lr_at(step, a.steps, a.lr, a.warmup) * g.get('lr_scale', 1.0)
        t0 = time.time()
        opt.zero_grad(set_to_none=True)
        losses, any_grad = [], False
        for _ in range(a.batch):  # --batch 1: one draw, one backward, exactly as before the option existed
            sample = draw()
            given = {} if sample.first_click is None else {'first_click': sample.first_click}
            loss, dices = train_sample(model, sample.image, sample.target, a.clicks, rng, **given)
            if loss.requires_grad:
                (loss / a.batch if a.batch > 1 else loss).backward()
                any_grad = True
            losses.append(float(loss))
        loss_value = float(np.mean(losses))
        # one small all-reduce carries the loss, whether anyone has a gradient, and rank 0's stop/checkpoint
        # decisions (wall-clock based, so they must be taken by one process for all)
        want_ckpt = lead and time.time() - last_ckpt >= a.ckpt_every_s
        want_stop = lead and deadline is not None and time.time() >= deadline
        loss_sum, with_grad, ckpt_now, stop_now = sum_scalars(
            [loss_value, float(any_grad), float(want_ckpt), float(want_stop)], world)
        if with_grad > 0:
            average_gradients(params, world)
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
        step += 1
        window.append(loss_sum / world)
        if lead and (step % a.log_every == 0 or step == a.steps):
            log.write({'event': 'step', 'step': step, 'loss': loss_value, 'loss_mean': float(np.mean(window)),
                       'dice_per_click': [round(d, 4) for d in dices], 'lr': opt.param_groups[0]['lr'],
                       'sample': sample.key, 'label': sample.label, 'target_voxels': int(sample.target.sum()),
                       'step_s': round(time.time() - t0, 3), 'elapsed_s': round(time.time() - t_start, 1)})
        if step % a.log_every == 0:
            window = []
        if ckpt_now > 0:
            checkpoint('periodic')
            last_ckpt = time.time()
        stopped_early = stop_now > 0
    checkpoint('end' if step >= stop_at else 'deadline')
    if lead:
        print(f'stopped at step {step} ({time.time() - t_start:.0f} s)')


if __name__ == '__main__':
    raise SystemExit(main())
