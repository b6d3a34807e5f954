"""PyTorch latency of the golden-recipe model, the peer of the onnxruntime figures in `npm run bench -- model`.

    python -m models.bench_torch [--variant fastsam3d|sam-med3d] [--threads 2] [--repeats 10]

Prints one JSON document: median (and min/max) encoder and decoder milliseconds after one warm-up run, on the
golden input and call A (one positive click, zero mask input), fp32 CPU, the plain Sam3D path (not the export
wrappers), torch.no_grad.
"""
import argparse
import json
import statistics
import sys
import time
from typing import List, Optional

import torch

from .golden import CALL_A_LABELS, CALL_A_POINTS, golden_input, golden_model
from .modeling.registry import VARIANTS


def timed(fn, repeats: int) -> dict:
    fn()  # warm-up
    ms = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        ms.append((time.perf_counter() - t) * 1000)
    return {'medianMs': statistics.median(ms), 'minMs': min(ms), 'maxMs': max(ms), 'runs': repeats}


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog='python -m models.bench_torch')
    parser.add_argument('--variant', choices=VARIANTS, default='fastsam3d')
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--repeats', type=int, default=10)
    args = parser.parse_args(argv)
    if args.threads < 1 or args.repeats < 1:
        parser.error('--threads and --repeats must be >= 1')
    torch.set_num_threads(args.threads)
    model = golden_model(args.variant)
    image = golden_input()
    points, labels = torch.tensor([CALL_A_POINTS]), torch.tensor([CALL_A_LABELS])
    mask = torch.zeros(1, 1, 32, 32, 32)
    with torch.no_grad():
        embedding = model.encode(image)
        encoder = timed(lambda: model.encode(image), args.repeats)
        decoder = timed(lambda: model.decode(embedding, points, labels, mask), args.repeats)
    print(json.dumps({
        'suite': 'torch-reference', 'variant': args.variant, 'torch': torch.__version__, 'threads': args.threads,
        'encoder': encoder, 'decoder': decoder,
    }, indent=2))
    return 0


if __name__ == '__main__':
    sys.exit(main())
