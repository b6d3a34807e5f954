"""Turn an official checkpoint into a model folder (encoder.onnx, decoder.onnx, model.json).

    python -m models.import_checkpoint --checkpoint F.pth --variant fastsam3d|sam-med3d --out DIR [--teacher T.pth]

Formats: full Sam3D training checkpoint (`model_state_dict`), bare state dict, or an encoder-only student with
--teacher (a full Sam3D checkpoint whose prompt encoder and mask decoder are used). Prints the SHA-256 of each
file, refuses on any missing/unexpected key or shape mismatch (exit 2), then exports.
"""
import argparse
import os
import sys
import time
from typing import List, Optional

import torch

from .checkpoint import CheckpointError, load_model
from .export.onnx_export import export_model_folder
from .modeling.registry import VARIANTS


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog='python -m models.import_checkpoint', description='checkpoint -> ONNX model folder')
    parser.add_argument('--checkpoint', required=True, help='.pth file (full Sam3D, bare state dict, or encoder-only)')
    parser.add_argument('--variant', required=True, choices=VARIANTS)
    parser.add_argument('--out', required=True, help='output model folder')
    parser.add_argument('--teacher', help='full Sam3D checkpoint giving the prompt encoder/decoder of an encoder-only student')
    parser.add_argument('--name', help='model name in model.json (default: the checkpoint file name without extension)')
    args = parser.parse_args(argv)
    torch.set_num_threads(int(os.environ.get('OMP_NUM_THREADS', '1')))
    t = time.perf_counter()
    try:
        loaded = load_model(args.checkpoint, args.variant, args.teacher)
    except CheckpointError as exc:
        print(f'import_checkpoint: refused: {exc}', file=sys.stderr)
        return 2
    print(f'checkpoint {args.checkpoint} sha256 {loaded.sha256}')
    if loaded.teacher_sha256:
        print(f'teacher {args.teacher} sha256 {loaded.teacher_sha256}')
    n = sum(v.numel() for v in loaded.model.state_dict().values())
    print(f'loaded {args.variant} ({loaded.kind}): {len(loaded.model.state_dict())} tensors, {n:,} parameters; {loaded.report.describe()}')
    name = args.name or os.path.splitext(os.path.basename(args.checkpoint))[0]
    extra = {'teacher': {'checkpoint': os.path.basename(args.teacher), 'sha256': loaded.teacher_sha256}} if args.teacher else None
    export_model_folder(
        loaded.model, args.out, name=name, variant=args.variant, checkpoint=os.path.basename(args.checkpoint),
        sha256=loaded.sha256, extra_source=extra,
    )
    print(f'import_checkpoint: done in {time.perf_counter() - t:.1f} s')
    return 0


if __name__ == '__main__':
    sys.exit(main())
