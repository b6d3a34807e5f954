"""PyTorch timing peer for `npm run bench -- model`: the same crop and clicks through models/ (the golden
recipe weights), encoder and decoder latency per thread count. Prints one JSON object on stdout.

    python packages/runtime/bench/torch_model.py --input crop.npy --points "p0,p1,p2;..." --labels 1,0 \
        [--threads 1,2] [--runs 10] [--warmup 2] [--variant fastsam3d]
"""
import argparse
import json
import resource
import statistics
import time

import numpy as np
import torch

from models.export.reference import parse_labels, parse_points
from models.golden import golden_model


def times_ms(fn, runs: int, warmup: int):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return round(statistics.median(times), 2), round(min(times), 2)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument('--input', required=True)
    p.add_argument('--points', required=True)
    p.add_argument('--labels', required=True)
    p.add_argument('--threads', default='1,2')
    p.add_argument('--runs', type=int, default=10)
    p.add_argument('--warmup', type=int, default=2)
    p.add_argument('--variant', default='fastsam3d')
    a = p.parse_args()
    model = golden_model(a.variant)
    image = torch.from_numpy(np.load(a.input).astype(np.float32)).reshape(1, 1, 128, 128, 128)
    points = torch.from_numpy(parse_points(a.points))[None]
    labels = torch.from_numpy(parse_labels(a.labels, points.shape[1]))[None]
    first = points[:, :1], labels[:, :1]
    zeros = torch.zeros(1, 1, 32, 32, 32)
    out = {'torch': torch.__version__, 'variant': a.variant, 'threads': {}}
    with torch.no_grad():
        for threads in [int(t) for t in a.threads.split(',')]:
            torch.set_num_threads(threads)
            emb = model.encode(image)
            low, _ = model.decode(emb, first[0], first[1], zeros)
            enc = times_ms(lambda: model.encode(image), a.runs, a.warmup)
            # one click, all-zero mask input (the eval's first click)
            dec = times_ms(lambda: model.decode(emb, first[0], first[1], zeros), 3 * a.runs, 3)
            # every click plus the previous logits
            refine = times_ms(lambda: model.decode(emb, points, labels, low), 3 * a.runs, 3)
            out['threads'][str(threads)] = {
                'encoderMs': enc[0], 'encoderMinMs': enc[1], 'decoderMs': dec[0], 'decoderMinMs': dec[1],
                'decoderRefineMs': refine[0],
            }
    out['peakRssMiB'] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(out))


if __name__ == '__main__':
    main()
