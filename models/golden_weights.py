"""The deterministic weight recipe of the golden test vectors (spec §13, manifest `recipe.weights`).

Every state-dict entry is a function of its full key name and shape:
  seed = (sum of the key's Unicode code points) * 65537 mod 2^32
  u_j  = lowbias32((j + seed) mod 2^32) / 2^32 for flat C-order index j;   s = 2u - 1 (float64)
  'rel_pos' in key -> 0.5 s;  other '.bias' -> 0.02 s;  1-D '.weight' -> 1 + 0.1 s;
  everything else -> s * sqrt(3 / F), F = numel / shape[0] if shape[0] > 1 else shape[-1]; cast to float32.
"""
import math
from typing import Dict, Iterable, Mapping, Tuple

import numpy as np
import torch


def lowbias32(x: np.ndarray) -> np.ndarray:
    """Vectorised lowbias32 hash on uint32 arrays (multiplication wraps mod 2^32)."""
    x = x.astype(np.uint32, copy=True)
    x ^= x >> np.uint32(16)
    x *= np.uint32(0x7FEB352D)
    x ^= x >> np.uint32(15)
    x *= np.uint32(0x846CA68B)
    x ^= x >> np.uint32(16)
    return x


def key_seed(key: str) -> int:
    return (sum(ord(ch) for ch in key) * 65537) % (1 << 32)


def golden_tensor(key: str, shape: Tuple[int, ...]) -> np.ndarray:
    """The recipe value of one state-dict entry, float32 array of `shape`."""
    numel = int(np.prod(shape)) if len(shape) else 1
    with np.errstate(over='ignore'):
        j = np.arange(numel, dtype=np.uint32) + np.uint32(key_seed(key))
        s = lowbias32(j).astype(np.float64) * (2.0 / 4294967296.0) - 1.0
    if 'rel_pos' in key:
        v = 0.5 * s
    elif key.endswith('.bias'):
        v = 0.02 * s
    elif len(shape) == 1 and key.endswith('.weight'):
        v = 1.0 + 0.1 * s
    else:
        fan = numel / shape[0] if shape[0] > 1 else shape[-1]
        v = s * math.sqrt(3.0 / fan)
    return v.astype(np.float32).reshape(shape)


def golden_state_dict(shapes: Iterable[Tuple[str, Tuple[int, ...]]]) -> Dict[str, torch.Tensor]:
    return {key: torch.from_numpy(golden_tensor(key, tuple(shape))) for key, shape in shapes}


def fill_golden(module: torch.nn.Module, prefix: str = '') -> torch.nn.Module:
    """Load the recipe into every state-dict entry of `module` (keys named `prefix + key`), strictly."""
    own = module.state_dict()
    sd = {k: torch.from_numpy(golden_tensor(prefix + k, tuple(v.shape))) for k, v in own.items()}
    module.load_state_dict(sd, strict=True)
    return module


def check_weight_checks(checks: Mapping[str, Mapping], atol: float = 1e-6) -> Dict[str, float]:
    """Compare with manifest `weight_checks` ({key: {shape, first4, sum}}); returns max error per key."""
    errors = {}
    for key, ref in checks.items():
        t = golden_tensor(key, tuple(ref['shape']))
        flat = t.reshape(-1)
        e_first = float(np.max(np.abs(flat[:4].astype(np.float64) - np.asarray(ref['first4']))))
        e_sum = abs(float(flat.astype(np.float64).sum()) - float(ref['sum'])) / max(1.0, abs(float(ref['sum'])))
        errors[key] = max(e_first, e_sum)
    return errors
