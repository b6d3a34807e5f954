"""The PyTorch reference script (RUNTIME compares onnxruntime against it) and the PyTorch latency peer."""
import json
import os

import numpy as np
import pytest

from models import bench_torch
from models.export import reference
from models.golden import golden_input, relative_error
from models.tests.paths import golden_dir


def test_reference_reproduces_golden_calls(tmp_path):
    crop = tmp_path / 'crop.npy'
    np.save(crop, golden_input().numpy()[0, 0])
    out_a = tmp_path / 'a'
    assert reference.main(['--input', str(crop), '--points', '70,40,90', '--labels', '1', '--out-dir', str(out_a)]) == 0
    masks_a = np.load(os.path.join(golden_dir(), 'student_A_masks4.npy'))
    emb = np.load(out_a / 'embedding.npy')
    low_a = np.load(out_a / 'low_res_logits.npy')
    assert emb.shape == (1, 384, 8, 8, 8) and low_a.shape == (1, 1, 32, 32, 32) and np.load(out_a / 'iou.npy').shape == (1, 1)
    assert relative_error(emb, np.load(os.path.join(golden_dir(), 'student_embedding.npy'))) <= 1e-4
    assert relative_error(low_a, masks_a[:, 0:1]) <= 1e-4

    mask = tmp_path / 'low.npy'
    np.save(mask, masks_a[0, 0])
    out_b = tmp_path / 'b'
    args = ['--input', str(crop), '--points', '70,40,90;20,100,60', '--labels', '1,0', '--mask-input', str(mask), '--out-dir', str(out_b)]
    assert reference.main(args) == 0
    assert relative_error(np.load(out_b / 'low_res_logits.npy'), np.load(os.path.join(golden_dir(), 'student_B_masks4.npy'))[:, 0:1]) <= 1e-4


@pytest.mark.parametrize('points,labels,message', [
    ('70,40', '1', 'triples'),
    ('70,40,90', '1,0', '2 label(s) for 1 point(s)'),
    ('70,40,90', '2', 'labels must be 1'),
    ('70,x,90', '1', '--points'),
])
def test_reference_rejects_bad_prompts(tmp_path, capsys, points, labels, message):
    crop = tmp_path / 'crop.npy'
    np.save(crop, np.zeros((128, 128, 128), np.float32))
    assert reference.main(['--input', str(crop), '--points', points, '--labels', labels, '--out-dir', str(tmp_path / 'o')]) == 2
    assert message in capsys.readouterr().err


def test_reference_rejects_bad_crops(tmp_path, capsys):
    for name, arr, message in (
        ('small.npy', np.zeros((64, 64, 64), np.float32), 'shape'),
        ('f64.npy', np.zeros((128, 128, 128)), 'float32'),
    ):
        np.save(tmp_path / name, arr)
        assert reference.main(['--input', str(tmp_path / name), '--points', '1,2,3', '--labels', '1', '--out-dir', str(tmp_path / 'o')]) == 2
        assert message in capsys.readouterr().err


def test_bench_torch_prints_one_json_document(capsys):
    assert bench_torch.main(['--repeats', '1']) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc['variant'] == 'fastsam3d' and doc['encoder']['medianMs'] > 0 and doc['decoder']['medianMs'] > 0
