"""Export the golden-recipe model (deterministic weights, spec §13) as a model folder.

    python -m models.export_golden --out DIR [--variant fastsam3d|sam-med3d]

Used by tests (test/support/goldenModel.ts) as a stand-in until trained weights exist. Nothing here is a
trained model: the masks it produces are meaningless, but its numbers are the official code's (golden files).
"""
import argparse
import os
import sys
import time
from typing import List, Optional

import torch

from .export.onnx_export import export_model_folder
from .golden import golden_model
from .modeling.registry import VARIANTS


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog='python -m models.export_golden', description='export the golden-recipe model folder')
    parser.add_argument('--out', required=True, help='output folder (created)')
    parser.add_argument('--variant', choices=VARIANTS, default='fastsam3d')
    parser.add_argument('--upscale', choices=('matmul', 'convtranspose'), default='matmul',
                        help='decoder upscaling: MatMul rewrite (default) or the original ConvTranspose3d')
    args = parser.parse_args(argv)
    torch.set_num_threads(int(os.environ.get('OMP_NUM_THREADS', '1')))
    t = time.perf_counter()
    model = golden_model(args.variant)
    export_model_folder(
        model, args.out, name=f'golden-{args.variant}', variant=args.variant, checkpoint='golden-recipe',
        sha256=None, upscale=args.upscale,
    )
    print(f'export_golden: {args.variant} in {time.perf_counter() - t:.1f} s')
    return 0


if __name__ == '__main__':
    sys.exit(main())
