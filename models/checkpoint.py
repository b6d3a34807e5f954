"""Checkpoint loading for the released formats (spec §3).

Accepted files (a PyTorch pickle):
* a full Sam3D training checkpoint: a dict with `model_state_dict` holding `image_encoder.*`,
  `prompt_encoder.*`, `mask_decoder.*` (FastSAM3D.pth, sam_med3d_turbo.pth), plus optimizer state etc.;
* a bare Sam3D state dict (the same keys at the top level);
* an encoder-only student (keys `patch_embed.proj.weight`, `blocks.*`, ..., bare or under `model_state_dict`,
  what distillation.py saves): paired with the prompt encoder and mask decoder of a full `teacher` checkpoint,
  as validation_student.py does.
DataParallel `module.` prefixes are stripped. Any missing key, unexpected key or shape mismatch is refused.
"""
import hashlib
import inspect
import os
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Tuple

import torch

from .modeling.registry import CONFIGS, build_sam3d
from .modeling.sam3d import Sam3D

ENCODER_PREFIX = 'image_encoder.'
DECODER_PREFIXES = ('prompt_encoder.', 'mask_decoder.')


class CheckpointError(Exception):
    """A checkpoint that cannot be used as asked (bad format, missing/unexpected keys, wrong shapes)."""


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, 'rb') as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()


def load_pickle(path: str):
    """torch.load on CPU. The official files pickle argparse.Namespace / Counter / torch.device, which torch
    >= 2.6's default weights_only=True refuses, so it is turned off: only import files you trust."""
    if not os.path.isfile(path):
        raise CheckpointError(f'checkpoint not found: {path}')
    kwargs = {'map_location': 'cpu'}
    if 'weights_only' in inspect.signature(torch.load).parameters:
        kwargs['weights_only'] = False
    try:
        return torch.load(path, **kwargs)
    except Exception as exc:  # corrupt / not a torch file
        raise CheckpointError(f'cannot read {path} as a PyTorch checkpoint: {exc}') from exc


def extract_state_dict(obj, source: str = 'checkpoint') -> Dict[str, torch.Tensor]:
    """The tensor dict of a training checkpoint (`model_state_dict`) or of a bare state dict, with any
    leading DataParallel `module.` removed from every key."""
    if isinstance(obj, Mapping) and 'model_state_dict' in obj:
        obj = obj['model_state_dict']
    if not isinstance(obj, Mapping) or not obj:
        raise CheckpointError(f'{source}: neither a state dict nor a dict with model_state_dict')
    non_tensors = [k for k, v in obj.items() if not torch.is_tensor(v)]
    if non_tensors:
        raise CheckpointError(f'{source}: not a state dict (non-tensor entries: {", ".join(map(str, non_tensors[:5]))})')
    out: Dict[str, torch.Tensor] = {}
    for key, value in obj.items():
        k = str(key)
        while k.startswith('module.'):
            k = k[len('module.'):]
        if k in out:
            raise CheckpointError(f'{source}: key {k!r} appears twice once `module.` prefixes are removed')
        out[k] = value.float() if value.is_floating_point() else value
    return out


def is_full_model(state_dict: Mapping[str, torch.Tensor]) -> bool:
    return any(k.startswith(ENCODER_PREFIX) for k in state_dict)


@dataclass
class KeyReport:
    missing: List[str] = field(default_factory=list)
    unexpected: List[str] = field(default_factory=list)
    mismatched: List[Tuple[str, tuple, tuple]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.unexpected or self.mismatched)

    def describe(self, limit: int = 12) -> str:
        lines = []
        for title, items in (('missing', self.missing), ('unexpected', self.unexpected)):
            if items:
                shown = ', '.join(items[:limit]) + (f', ... (+{len(items) - limit})' if len(items) > limit else '')
                lines.append(f'{len(items)} {title} key(s): {shown}')
        if self.mismatched:
            shown = ', '.join(f'{k} {tuple(got)} (expected {tuple(exp)})' for k, got, exp in self.mismatched[:limit])
            lines.append(f'{len(self.mismatched)} shape mismatch(es): {shown}')
        return '\n'.join(lines) if lines else 'all keys match'


def compare_keys(expected: Mapping[str, torch.Tensor], given: Mapping[str, torch.Tensor]) -> KeyReport:
    report = KeyReport(
        missing=sorted(k for k in expected if k not in given),
        unexpected=sorted(k for k in given if k not in expected),
    )
    report.mismatched = [
        (k, tuple(given[k].shape), tuple(v.shape)) for k, v in expected.items() if k in given and tuple(given[k].shape) != tuple(v.shape)
    ]
    return report


@dataclass
class LoadedModel:
    model: Sam3D
    kind: str                       # 'full' or 'encoder-only+teacher'
    sha256: str
    teacher_sha256: Optional[str]
    report: KeyReport


def assemble_state_dict(
    state_dict: Mapping[str, torch.Tensor], teacher: Optional[Mapping[str, torch.Tensor]]
) -> Tuple[Dict[str, torch.Tensor], str]:
    """Full checkpoint -> itself; encoder-only -> `image_encoder.`-prefixed + the teacher's prompt encoder and
    mask decoder (its image encoder is ignored)."""
    if is_full_model(state_dict):
        if teacher is not None:
            raise CheckpointError(
                'the checkpoint is a full Sam3D (it has image_encoder.* keys) and brings its own prompt encoder and '
                'mask decoder; --teacher is only for encoder-only student checkpoints'
            )
        return dict(state_dict), 'full'
    if teacher is None:
        raise CheckpointError(
            'the checkpoint holds only an image encoder (no image_encoder.* keys): pass --teacher with a full '
            'Sam3D checkpoint (e.g. sam_med3d_turbo.pth) to take the prompt encoder and mask decoder from'
        )
    if not is_full_model(teacher):
        raise CheckpointError('the --teacher checkpoint is not a full Sam3D state dict (no image_encoder.* keys)')
    combined = {ENCODER_PREFIX + k: v for k, v in state_dict.items()}
    combined.update({k: v for k, v in teacher.items() if k.startswith(DECODER_PREFIXES)})
    stray = sorted(k for k in teacher if not k.startswith(DECODER_PREFIXES + (ENCODER_PREFIX,)))
    if stray:
        raise CheckpointError(f'--teacher: unexpected key(s) outside image_encoder/prompt_encoder/mask_decoder: {", ".join(stray[:12])}')
    return combined, 'encoder-only+teacher'


def load_model(path: str, variant: str, teacher_path: Optional[str] = None) -> LoadedModel:
    """Build `variant` and load the checkpoint strictly; raises CheckpointError on any key problem."""
    if variant not in CONFIGS:
        raise CheckpointError(f'unknown variant {variant!r}; known: {", ".join(CONFIGS)}')
    for p in (path, teacher_path):
        if p is not None and not os.path.isfile(p):
            raise CheckpointError(f'checkpoint not found: {p}')
    sha = sha256_file(path)
    sd = extract_state_dict(load_pickle(path), os.path.basename(path))
    teacher_sd, teacher_sha = None, None
    if teacher_path is not None:
        teacher_sha = sha256_file(teacher_path)
        teacher_sd = extract_state_dict(load_pickle(teacher_path), os.path.basename(teacher_path))
    combined, kind = assemble_state_dict(sd, teacher_sd)
    model = build_sam3d(variant)
    report = compare_keys(model.state_dict(), combined)
    if not report.ok:
        raise CheckpointError(f'{os.path.basename(path)} does not fit variant {variant!r} ({kind}):\n{report.describe()}')
    model.load_state_dict(combined, strict=True)
    return LoadedModel(model.eval(), kind, sha, teacher_sha, report)
