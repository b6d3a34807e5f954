"""Shared plumbing of the training commands: data loading by split side, seeding, checkpoints (atomic,
resumable, with RNG states) and the jsonl log."""
from __future__ import annotations

import json
import os
import random
import re
import time
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch

from ..data.cache import CachedVolume, load_cached
from ..data.pairs import find_pairs
from ..data.split import SPLIT_PATH, load_split, shared_dir

CHECKPOINT = 'checkpoint.pt'
LOG = 'log.jsonl'


def default_data() -> str:
    return os.path.join(shared_dir(), 'data', 'volumes')


def extra_data() -> str:
    return os.path.join(shared_dir(), 'data', 'volumes_extra')


# Radiotherapy planning margins (OpenKBP's PTV56/63/70) are geometric expansions, not anatomy: never targets.
NOT_ANATOMY = re.compile(r'^PTV', re.IGNORECASE)


def label_names(label_path: str) -> Dict[int, str]:
    """value -> name from the pair's `<case>_labels.json` beside its label file ({} when there is none)."""
    path = label_path[: -len('_seg.nii.gz')] + '_labels.json' if label_path.endswith('_seg.nii.gz') else ''
    if not path or not os.path.isfile(path):
        return {}
    with open(path, encoding='utf-8') as fh:
        labels = json.load(fh).get('labels', {})
    return {int(k): str(v) for k, v in labels.items()}


def drop_non_anatomy(volume: CachedVolume, names: Dict[int, str]) -> CachedVolume:
    for value, name in names.items():
        if NOT_ANATOMY.match(name):
            volume.targets.pop(value, None)
    return volume


def load_volumes(data_dirs: Sequence[str], side: str, split_path: str = SPLIT_PATH, cache_dir: Optional[str] = None,
                 log=print) -> List[CachedVolume]:
    """Cached model-space volumes of the pairs on `side` ('train' | 'held_out'). Pairs split.json does not
    know (e.g. a new nnU-Net folder) count as training data and are reported."""
    split = load_split(split_path)
    vols = []
    for d in data_dirs:
        for pair in find_pairs(d):
            s = split.get(pair.key)
            if s is None:
                log(f'note: {pair.key} is not in {os.path.basename(split_path)}: treated as training data')
                s = 'train'
            if s == side:
                vols.append(drop_non_anatomy(load_cached(pair, cache_dir), label_names(pair.label)))
    if not vols:
        raise ValueError(f'no {side} pairs found under {", ".join(data_dirs)}')
    return vols


def seed_everything(seed: int) -> np.random.Generator:
    random.seed(seed)
    torch.manual_seed(seed)
    return np.random.default_rng(seed)


def save_checkpoint(out_dir: str, state: Dict) -> str:
    """Write atomically (tmp + rename) so a kill mid-write never leaves a broken checkpoint."""
    path = os.path.join(out_dir, CHECKPOINT)
    tmp = path + '.tmp'
    torch.save(state, tmp)
    os.replace(tmp, path)
    return path


def load_checkpoint(out_dir: str) -> Optional[Dict]:
    path = os.path.join(out_dir, CHECKPOINT)
    if not os.path.isfile(path):
        return None
    return torch.load(path, map_location='cpu')


def rng_state(rng: np.random.Generator) -> Dict:
    return {'numpy': rng.bit_generator.state, 'torch': torch.get_rng_state(), 'python': random.getstate()}


def restore_rng(rng: np.random.Generator, state: Dict) -> None:
    rng.bit_generator.state = state['numpy']
    torch.set_rng_state(state['torch'])
    random.setstate(state['python'])


class JsonlLog:
    def __init__(self, path: str) -> None:
        self.path = path

    def write(self, record: Dict) -> None:
        record = {'time': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()), **record}
        with open(self.path, 'a') as fh:
            fh.write(json.dumps(record) + '\n')


def lr_at(step: int, total: int, base: float, warmup: int) -> float:
    """Linear warm-up then cosine decay to 10 % of the base rate at `total` steps."""
    if step < warmup:
        return base * (step + 1) / warmup
    t = min(1.0, (step - warmup) / max(1, total - warmup))
    return base * (0.1 + 0.9 * 0.5 * (1 + np.cos(np.pi * t)))
