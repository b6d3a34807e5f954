"""Layer-wise progressive distillation (paper Eq. 1-2), the official variant, and an end-to-end run on tiny
configurations with a teacher read through the import command's checkpoint formats."""
import json
import math
import os

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from models.modeling.registry import build_sam3d
from models.train import distill
from models.train.distill import block_outputs, layerwise_loss, official_pair_loss, progressive_k

from .paths import shared_path


def test_progressive_k_is_eq2():
    # paper: 36 iterations, 6 student blocks -> k = ceil(iter * 6 / 36)
    ks = [progressive_k(it, 36, 6) for it in range(1, 37)]
    assert ks == [math.ceil(it * 6 / 36) for it in range(1, 37)]
    assert ks[0] == 1 and ks[5] == 1 and ks[6] == 2 and ks[-1] == 6
    assert all(b >= a for a, b in zip(ks, ks[1:]))  # grows with the iteration count
    assert progressive_k(0, 36, 6) == 1 and progressive_k(99, 36, 6) == 6  # clamped
    with pytest.raises(ValueError):
        progressive_k(1, 0, 6)


def test_layerwise_loss_equals_hand_computed_eq1():
    g = torch.Generator().manual_seed(0)
    student = [torch.randn(2, 2, 2, 2, 3, generator=g) for _ in range(3)]   # f_S^(1..3), batch of 2
    teacher = [torch.randn(2, 2, 2, 2, 3, generator=g) for _ in range(6)]   # f_T^(1..6)
    for k in (1, 2, 3):
        hand = 0.0
        for i in range(1, k + 1):
            per_sample = [math.sqrt(float(((teacher[2 * i - 1][b] - student[i - 1][b]) ** 2).sum())) for b in range(2)]
            hand += sum(per_sample) / 2
        hand /= k
        assert float(layerwise_loss(student, teacher, k)) == pytest.approx(hand, rel=1e-6)
    # pairing is block i <-> block 2i: matching the student to teacher block 2i gives 0
    assert float(layerwise_loss([teacher[1], teacher[3], teacher[5]], teacher, 3)) == 0.0
    assert float(layerwise_loss([teacher[0], teacher[1], teacher[2]], teacher, 3)) > 0
    with pytest.raises(ValueError):
        layerwise_loss(student, teacher[:4], 3)


def test_official_variant_is_one_pair_mse():
    g = torch.Generator().manual_seed(1)
    s = [torch.randn(1, 2, 2, 2, 4, generator=g) for _ in range(4)]
    t = [torch.randn(1, 2, 2, 2, 4, generator=g) for _ in range(4)]
    assert float(official_pair_loss(s, t, 2)) == pytest.approx(float(((s[2] - t[2]) ** 2).mean()))


def test_block_outputs_match_the_encoder():
    torch.manual_seed(0)
    m = build_sam3d('tiny-student')
    x = torch.randn(1, 1, 32, 32, 32)
    outs = block_outputs(m.image_encoder, x)
    assert len(outs) == 5
    torch.testing.assert_close(outs[-1], m.image_encoder(x))
    official = m.image_encoder.forward_intermediates(x)
    torch.testing.assert_close(outs[1], official[1])  # after block 2
    torch.testing.assert_close(outs[3], official[2])  # after block 4


@pytest.fixture(scope='module')
def tiny_data(tmp_path_factory):
    root = tmp_path_factory.mktemp('data')
    for dataset, case in (('sct_spine', 't2'), ('monai', 'anatomical')):
        (root / dataset).mkdir()
        for kind in ('img', 'seg'):
            os.symlink(shared_path('data', 'volumes', dataset, f'{case}_{kind}.nii.gz'), root / dataset / f'{case}_{kind}.nii.gz')
    return root


def teacher_checkpoint(path):
    torch.manual_seed(0)
    t = build_sam3d('tiny-teacher-deep')
    with torch.no_grad():
        for p in t.parameters():
            p.normal_(0, 0.05)
    # the official training-checkpoint layout with DataParallel prefixes: what the import command accepts
    torch.save({'model_state_dict': {'module.' + k: v for k, v in t.state_dict().items()}, 'epoch': 1}, path)
    return t


@pytest.mark.parametrize('method', ['paper', 'official'])
def test_distillation_end_to_end_on_tiny_configs(tmp_path, tiny_data, method):
    teacher = teacher_checkpoint(tmp_path / 'teacher.pth')
    out = tmp_path / 'out'
    args = ['--student', 'tiny-student', '--teacher', str(tmp_path / 'teacher.pth'), '--teacher-variant', 'tiny-teacher-deep',
            '--out', str(out), '--data', str(tiny_data), '--cache', str(tmp_path / 'cache'), '--method', method,
            '--steps', '12', '--logit-steps', '8', '--batch', '2', '--lr', '2e-3', '--seed', '5']
    assert distill.main(args) == 0
    log = [json.loads(l) for l in open(out / 'log.jsonl')]
    steps = [r for r in log if r['event'] == 'step']
    layer = [r for r in steps if r['phase'] == 'layer']
    logit = [r for r in steps if r['phase'] == 'logit']
    assert layer and len(logit) == 8
    if method == 'paper':
        assert [r['k'] for r in layer] == [progressive_k(r['step'], 12, 4) for r in layer]
        assert layer[0]['k'] == 1 and layer[-1]['k'] == 4
    else:
        assert [r['cur'] for r in layer] == [1, 1, 1, 2, 2, 2]  # one pair at a time, +1 every 3 epochs, stops at the neck
    # the logit-level phase lowers the final-embedding MSE
    assert np.mean([r['loss'] for r in logit[-3:]]) < np.mean([r['loss'] for r in logit[:3]])
    saved = torch.load(out / 'student.pt')
    student = build_sam3d('tiny-student')
    student.load_state_dict(saved['model'], strict=True)
    # equal out_chans: the student carries the teacher's prompt encoder and decoder
    torch.testing.assert_close(student.mask_decoder.iou_token.weight, teacher.mask_decoder.iou_token.weight)
