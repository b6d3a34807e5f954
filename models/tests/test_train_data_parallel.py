"""Data-parallel training (--procs): gradients are really averaged over the processes, the replicas stay
identical, and a 2-process run resumes exactly from its checkpoint (every rank's sampling RNG restored)."""
import json
import os

import torch

from models.train import train
from models.train.data_parallel import average_gradients, launch

from .test_train_loop import tiny_data  # noqa: F401  (the fixture)


def _average_worker(rank, world, out_dir):
    torch.manual_seed(0)
    layer = torch.nn.Linear(3, 2)
    for p in layer.parameters():
        p.grad = torch.full_like(p, float(rank + 1))  # rank 0: ones, rank 1: twos
    layer.bias.grad = None if rank == 1 else layer.bias.grad  # a rank without a gradient contributes zeros
    average_gradients(list(layer.parameters()), world)
    torch.save({'weight': layer.weight.grad, 'bias': layer.bias.grad}, os.path.join(out_dir, f'{rank}.pt'))


def test_average_gradients_over_two_processes(tmp_path):
    launch(_average_worker, 2, str(tmp_path))
    g0, g1 = torch.load(tmp_path / '0.pt'), torch.load(tmp_path / '1.pt')
    torch.testing.assert_close(g0['weight'], torch.full((2, 3), 1.5))
    torch.testing.assert_close(g0['bias'], torch.full((2,), 0.5))
    for k in g0:
        torch.testing.assert_close(g0[k], g1[k], rtol=0, atol=0)


def _run(out, data, cache, *extra):
    return train.main(['--config', 'tiny-student', '--out', str(out), '--data', str(data), '--cache', str(cache),
                       '--seed', '11', '--clicks', '2', '--lr', '2e-3', '--warmup', '2', '--log-every', '1',
                       '--steps', '6', *extra])


def test_two_process_training_resumes_exactly_and_differs_from_one(tmp_path, tiny_data):  # noqa: F811
    cache = tmp_path / 'cache'
    assert _run(tmp_path / 'one', tiny_data, cache) == 0
    assert _run(tmp_path / 'full', tiny_data, cache, '--procs', '2') == 0
    assert _run(tmp_path / 'part', tiny_data, cache, '--procs', '2', '--stop-at', '3') == 0
    assert torch.load(tmp_path / 'part' / 'checkpoint.pt')['step'] == 3
    assert _run(tmp_path / 'part', tiny_data, cache, '--procs', '2', '--resume') == 0
    one, full, part = (torch.load(tmp_path / d / 'checkpoint.pt') for d in ('one', 'full', 'part'))
    assert full['step'] == part['step'] == 6 and full['procs'] == 2 and len(full['rng_ranks']) == 2
    for k in full['model']:
        torch.testing.assert_close(full['model'][k], part['model'][k], rtol=0, atol=0)
    # rank 1's samples changed the update: the 2-process weights are not the 1-process ones
    assert any(not torch.equal(full['model'][k], one['model'][k]) for k in full['model'])
    steps = [json.loads(l) for l in open(tmp_path / 'full' / 'log.jsonl') if '"step"' in l]
    assert [r['step'] for r in steps if r['event'] == 'step'] == [1, 2, 3, 4, 5, 6]
