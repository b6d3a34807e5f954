"""Training from scratch end to end on a tiny configuration: the loss decreases (fixed seed), a run resumed
from its checkpoint continues exactly as an uninterrupted one, a distilled student initialises training,
and the held-out evaluation produces Dice per click."""
import json
import os

import numpy as np
import pytest
import torch

from models.modeling.registry import build_sam3d
from models.train import train
from models.train.evaluate import evaluate, load_trained
from models.train.interactive import dice_bce_loss, train_sample
from models.data.cache import load_cached
from models.data.pairs import find_pairs

from .paths import shared_path


@pytest.fixture(scope='module')
def tiny_data(tmp_path_factory):
    root = tmp_path_factory.mktemp('data')
    for dataset, case in (('sct_spine', 't2'), ('monai', 'anatomical')):
        (root / dataset).mkdir()
        for kind in ('img', 'seg'):
            os.symlink(shared_path('data', 'volumes', dataset, f'{case}_{kind}.nii.gz'), root / dataset / f'{case}_{kind}.nii.gz')
    return root


def test_dice_bce_loss_is_low_for_a_right_mask_and_high_for_a_wrong_one():
    target = torch.zeros(1, 1, 8, 8, 8)
    target[..., 2:5, 2:5, 2:5] = 1
    right = dice_bce_loss(target * 20 - 10, target)
    wrong = dice_bce_loss(10 - target * 20, target)
    assert float(right) < 0.01 and float(wrong) > 2


def test_iterative_loop_learns_one_sample():
    torch.manual_seed(0)
    model = build_sam3d('tiny-student').train()
    image = np.random.default_rng(0).normal(size=(32, 32, 32)).astype(np.float32)
    target = np.zeros((32, 32, 32), bool)
    target[10:20, 12:22, 8:18] = True
    image[target] += 2.0
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    losses = []
    for step in range(25):
        loss, dices = train_sample(model, image, target, 2, np.random.default_rng(step))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss))
    assert len(dices) == 2
    assert np.mean(losses[-5:]) < 0.6 * np.mean(losses[:5])


def _run(out, data, cache, *extra):
    return train.main(['--config', 'tiny-student', '--out', str(out), '--data', str(data), '--cache', str(cache),
                       '--seed', '11', '--clicks', '2', '--lr', '2e-3', '--warmup', '2', '--log-every', '1', *extra])


def test_train_end_to_end_loss_decreases_and_resume_is_exact(tmp_path, tiny_data):
    cache = tmp_path / 'cache'
    full, part = tmp_path / 'full', tmp_path / 'part'
    assert _run(full, tiny_data, cache, '--steps', '30') == 0
    steps = [json.loads(l) for l in open(full / 'log.jsonl')]
    losses = [r['loss'] for r in steps if r['event'] == 'step']
    assert len(losses) == 30
    assert np.mean(losses[-8:]) < np.mean(losses[:8])
    # interrupted at 12 (same 30-step schedule), then resumed: identical weights at the end
    assert _run(part, tiny_data, cache, '--steps', '30', '--stop-at', '12') == 0
    assert torch.load(part / 'checkpoint.pt')['step'] == 12
    assert _run(part, tiny_data, cache, '--steps', '30', '--resume') == 0
    a, b = torch.load(full / 'checkpoint.pt'), torch.load(part / 'checkpoint.pt')
    assert a['step'] == b['step'] == 30
    for k in a['model']:
        torch.testing.assert_close(a['model'][k], b['model'][k], rtol=0, atol=0)
    # a resumed run refuses a checkpoint of another configuration
    with pytest.raises(SystemExit):
        train.main(['--config', 'fastsam3d-xr-small', '--out', str(part), '--data', str(tiny_data), '--cache', str(cache), '--resume', '--steps', '31'])


def test_init_from_distilled_student_and_evaluate(tmp_path, tiny_data):
    torch.manual_seed(3)
    student = build_sam3d('tiny-student')
    torch.save({'model': student.state_dict()}, tmp_path / 'student.pt')
    assert _run(tmp_path / 'ft', tiny_data, tmp_path / 'cache', '--steps', '2', '--init', str(tmp_path / 'student.pt')) == 0
    model = load_trained(str(tmp_path / 'ft' / 'checkpoint.pt'), 'tiny-student')
    vols = [load_cached(p, str(tmp_path / 'cache')) for p in find_pairs(str(tiny_data))]
    result = evaluate(model, vols, [1, 3], seed=2023, min_voxels=1000, log=lambda *_: None)
    assert result['clicks'] == [1, 3]
    assert {c['case'] for c in result['cases']} | {s['case'] for s in result['skipped']} == {v.key for v in vols}
    for c in result['cases']:
        assert len(c['dice_per_click']) == 3 and all(0 <= d <= 1 for d in c['dice_per_click'])
    assert all(s['voxels'] < 1000 for s in result['skipped'])
    # deterministic for a seed
    again = evaluate(model, vols, [1, 3], seed=2023, min_voxels=1000, log=lambda *_: None)
    assert again['mean'] == result['mean']


def test_region_growing_baseline_follows_clicks():
    from models.train.evaluate import baseline_target, region_grow
    image = np.zeros((24, 24, 24), np.float32)
    image[4:12, 4:12, 4:12] = 3.0       # the target
    image[14:20, 14:20, 14:20] = 3.0    # a look-alike elsewhere (not connected)
    target = image > 1
    target[14:20, 14:20, 14:20] = False
    grown = region_grow(image, (6, 6, 6), 0.5)
    assert np.array_equal(grown, target)
    d = baseline_target(image, target, 3, np.random.default_rng(0))
    assert d[0] == 1.0 and d == [1.0, 1.0, 1.0]  # perfect after one click; later clicks have nothing to fix
