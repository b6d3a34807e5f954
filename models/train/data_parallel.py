"""Synchronous data parallelism for training on a CPU with several cores: N processes (1 torch thread each),
each draws its own samples, gradients are averaged over the processes before every optimiser step, so all
replicas hold the same weights (an effective batch of N). torch.distributed over gloo, no extra install.

Why not one process with N threads: on these 2-core machines two torch threads fight OpenBLAS and a
training step gets slower, while two 1-thread processes each keep their speed.
"""
from __future__ import annotations

import os
import tempfile
from typing import Callable, List, Sequence

import torch
import torch.distributed as dist
import torch.multiprocessing as mp


def launch(worker: Callable[[int, int, object], None], procs: int, payload: object) -> None:
    """Run worker(rank, world, payload) in `procs` processes joined in one gloo group; re-raises a failure."""
    with tempfile.TemporaryDirectory(prefix='fsx-ddp-') as tmp:
        init = 'file://' + os.path.join(tmp, 'rendezvous')
        mp.spawn(_entry, args=(procs, init, worker, payload), nprocs=procs, join=True)


def _entry(rank: int, world: int, init: str, worker, payload) -> None:
    torch.set_num_threads(1)
    dist.init_process_group('gloo', init_method=init, rank=rank, world_size=world)
    try:
        worker(rank, world, payload)
    finally:
        dist.destroy_process_group()


def sum_scalars(values: Sequence[float], world: int) -> List[float]:
    """Element-wise sum of a few floats over all processes (identity in a single process)."""
    if world == 1:
        return [float(v) for v in values]
    t = torch.tensor([float(v) for v in values], dtype=torch.float64)
    dist.all_reduce(t, op=dist.ReduceOp.SUM)
    return t.tolist()


def average_gradients(params: Sequence[torch.nn.Parameter], world: int) -> None:
    """Replace every gradient by its mean over the processes, in one all-reduce of a flat buffer (a process
    whose sample gave no gradient contributes zeros)."""
    if world == 1:
        return
    grads = [p.grad if p.grad is not None else torch.zeros_like(p) for p in params]
    flat = torch.cat([g.reshape(-1) for g in grads])
    dist.all_reduce(flat, op=dist.ReduceOp.SUM)
    flat /= world
    offset = 0
    for p in params:
        n = p.numel()
        p.grad = flat[offset:offset + n].view_as(p)  # views of the one reduced buffer: no second copy
        offset += n


def gather_objects(obj: object, world: int) -> List[object]:
    """[obj of rank 0, obj of rank 1, ...] on every process."""
    if world == 1:
        return [obj]
    out: List[object] = [None] * world
    dist.all_gather_object(out, obj)
    return out
