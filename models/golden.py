"""Golden-vector check of the re-implementation (spec §13).

    python3 -m models.golden /work/shared/docs/model-spec-golden [--part student|teacher|all]

Builds the student and the teacher with the deterministic recipe weights, feeds the golden input and the
calls A/B, and prints one line per golden file with its relative error max|diff| / max|ref|, then one line per
intermediate statistic of manifest.json. Exits 1 if any error exceeds 1e-4.
"""
import argparse
import json
import math
import os
import sys
from dataclasses import dataclass
from typing import Dict, List, Optional

import numpy as np
import torch
import torch.nn.functional as F

from .golden_weights import check_weight_checks, fill_golden
from .modeling.registry import build_sam3d
from .modeling.sam3d import Sam3D

TOLERANCE = 1e-4
CALL_A_POINTS = [[70.0, 40.0, 90.0]]
CALL_A_LABELS = [1.0]
CALL_B_POINTS = [[70.0, 40.0, 90.0], [20.0, 100.0, 60.0]]
CALL_B_LABELS = [1.0, 0.0]


@dataclass
class Row:
    name: str
    error: float
    tolerance: float = TOLERANCE
    note: str = ''

    @property
    def ok(self) -> bool:
        return self.error <= self.tolerance and not math.isnan(self.error)

    def line(self) -> str:
        status = 'ok  ' if self.ok else 'FAIL'
        return f'{status} {self.name:<44} rel_err {self.error:.3e}{("  " + self.note) if self.note else ""}'


def golden_input(size: int = 128) -> torch.Tensor:
    """x[0,0,a,b,c] = sin(0.11a)cos(0.07b) + 0.5 sin(0.05c + 0.3a), float64 then float32. (1,1,S,S,S)."""
    r = np.arange(size, dtype=np.float64)
    a, b, c = r[:, None, None], r[None, :, None], r[None, None, :]
    x = np.sin(0.11 * a) * np.cos(0.07 * b) + 0.5 * np.sin(0.05 * c + 0.3 * a)
    return torch.from_numpy(x.astype(np.float32)).reshape(1, 1, size, size, size)


def golden_model(name: str) -> Sam3D:
    """A named configuration filled with the recipe weights (keys named as in the full Sam3D state dict)."""
    with torch.no_grad():
        return fill_golden(build_sam3d(name)).eval()


def relative_error(ours: np.ndarray, ref: np.ndarray) -> float:
    if tuple(ours.shape) != tuple(ref.shape):
        return float('inf')
    scale = float(np.max(np.abs(ref)))
    return float(np.max(np.abs(ours.astype(np.float64) - ref.astype(np.float64)))) / (scale if scale > 0 else 1.0)


def stats_error(ours: np.ndarray, ref: Dict) -> float:
    """Compare summary statistics: every field relative to the tensor's value range (sum_abs to itself)."""
    if list(ours.shape) != list(ref['shape']):
        return float('inf')
    x = ours.astype(np.float64).reshape(-1)
    scale = max(abs(ref['min']), abs(ref['max']), 1e-12)
    errs = [
        abs(x.min() - ref['min']) / scale, abs(x.max() - ref['max']) / scale,
        abs(x.mean() - ref['mean']) / scale, abs(x.std() - ref['std']) / scale,
        float(np.max(np.abs(x[:8] - np.asarray(ref['first8'])))) / scale,
        abs(np.abs(x).sum() - ref['sum_abs']) / max(ref['sum_abs'], 1e-12),
    ]
    return float(max(errs))


def upsample_logits(low: torch.Tensor, size: int = 128) -> torch.Tensor:
    """(1,1,32,32,32) -> (1,1,128,128,128), trilinear, align_corners=False (spec §8.4)."""
    return F.interpolate(low, size=(size, size, size), mode='trilinear', align_corners=False)


@torch.no_grad()
def student_outputs() -> Dict[str, np.ndarray]:
    model = golden_model('fastsam3d')
    x = golden_input()
    inter = model.image_encoder.forward_intermediates(x)
    emb = inter[-1]
    out: Dict[str, np.ndarray] = {
        'student_patch_pos': inter[0], 'student_after_block2': inter[1], 'student_after_block4': inter[2],
        'student_after_block6': inter[3], 'student_embedding': emb,
    }
    pa, la = torch.tensor([CALL_A_POINTS]), torch.tensor([CALL_A_LABELS])
    masks_a, iou_a, sparse_a, dense_a = model.decode_all(emb, pa, la, torch.zeros(1, 1, 32, 32, 32))
    pb, lb = torch.tensor([CALL_B_POINTS]), torch.tensor([CALL_B_LABELS])
    masks_b, iou_b, sparse_b, _ = model.decode_all(emb, pb, lb, masks_a[:, 0:1])
    full = upsample_logits(masks_a[:, 0:1])
    out.update({
        'student_A_sparse': sparse_a, 'student_A_dense': dense_a, 'student_A_masks4': masks_a, 'student_A_iou4': iou_a,
        'student_A_fullres_logits': full, 'student_B_sparse': sparse_b, 'student_B_masks4': masks_b,
        'student_B_iou4': iou_b, 'dense_pe': model.prompt_encoder.get_dense_pe(),
        'student_A_dense_nomask': model.prompt_encoder.no_mask_dense(1),
    })
    result = {k: v.detach().numpy() for k, v in out.items()}
    result['student_A_fullres_positive_voxels'] = np.asarray(int((full > 0).sum()))
    return result


@torch.no_grad()
def teacher_outputs(include_fastsam3d_form: bool = True) -> Dict[str, np.ndarray]:
    model = golden_model('sam-med3d')
    x = golden_input()
    emb = model.encode(x)
    masks, iou, _, _ = model.decode_all(emb, torch.tensor([CALL_A_POINTS]), torch.tensor([CALL_A_LABELS]), torch.zeros(1, 1, 32, 32, 32))
    out = {'teacher_embedding': emb, 'teacher_A_masks4': masks, 'teacher_A_iou4': iou}
    if include_fastsam3d_form:
        del model
        alt = golden_model('sam-med3d-fastsam3d-form')
        out['teacher_fastsam3d_forward_embedding'] = alt.encode(x)
    return {k: v.detach().numpy() for k, v in out.items()}


def compare(golden_dir: str, outputs: Dict[str, np.ndarray], manifest: Dict) -> List[Row]:
    rows: List[Row] = []
    for name, file in manifest['files'].items():
        if name in outputs:
            ref = np.load(os.path.join(golden_dir, file))
            rows.append(Row(file, relative_error(outputs[name], ref)))
    for name, ref in manifest['stats'].items():
        if name not in outputs:
            continue
        if isinstance(ref, dict):
            rows.append(Row(f'stats:{name}', stats_error(outputs[name], ref)))
        else:  # a count (positive voxels after upsampling): must match to within 1e-4 of the voxel count
            diff = abs(int(outputs[name]) - int(ref))
            rows.append(Row(f'stats:{name}', diff / 128 ** 3, note=f'{int(outputs[name])} vs {int(ref)}'))
    return rows


def run(golden_dir: str, parts: str = 'all') -> List[Row]:
    with open(os.path.join(golden_dir, 'manifest.json')) as fh:
        manifest = json.load(fh)
    rows = [Row(f'weights:{k}', e) for k, e in check_weight_checks(manifest['weight_checks']).items()]
    if parts in ('all', 'student'):
        rows += compare(golden_dir, student_outputs(), manifest)
    if parts in ('all', 'teacher'):
        rows += compare(golden_dir, teacher_outputs(), manifest)
    return rows


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog='python3 -m models.golden', description=__doc__.split('\n\n')[0])
    parser.add_argument('golden_dir', help='folder with manifest.json and the .npy golden files')
    parser.add_argument('--part', choices=('all', 'student', 'teacher'), default='all')
    args = parser.parse_args(argv)
    torch.set_num_threads(int(os.environ.get('OMP_NUM_THREADS', '1')))
    if not os.path.isfile(os.path.join(args.golden_dir, 'manifest.json')):
        print(f'golden: no manifest.json in {args.golden_dir}', file=sys.stderr)
        return 2
    rows = run(args.golden_dir, args.part)
    for row in rows:
        print(row.line())
    failed = [r for r in rows if not r.ok]
    print(f'{len(rows) - len(failed)}/{len(rows)} within {TOLERANCE:g}' + (f'; FAILED: {", ".join(r.name for r in failed)}' if failed else ''))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
