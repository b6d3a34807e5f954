"""Checkpoint import: the formats of spec §3, strict key checking, SHA-256, export of the folder."""
import argparse
import collections
import hashlib
import json
import os

import pytest
import torch

from models import import_checkpoint
from models.checkpoint import CheckpointError, extract_state_dict, load_model
from models.golden import golden_model


@pytest.fixture(scope='module')
def golden_sd():
    torch.set_num_threads(1)
    return golden_model('fastsam3d').state_dict()


def training_checkpoint(sd):
    """The layout of the repo's save_checkpoint (what FastSAM3D.pth holds, spec §3.2)."""
    return {
        'epoch': 99, 'model_state_dict': sd, 'optimizer_state_dict': {'state': {}, 'param_groups': []},
        'lr_scheduler_state_dict': {'milestones': collections.Counter([120, 180])}, 'losses': [0.5], 'best_loss': 0.4,
        'args': argparse.Namespace(model_type='vit_b_ori'), 'used_datas': [], 'device': torch.device('cpu'),
    }


def assert_same_weights(model, sd):
    got = model.state_dict()
    assert set(got) == set(sd)
    for k, v in sd.items():
        assert torch.equal(got[k], v), k


def test_full_training_checkpoint(tmp_path, golden_sd):
    path = tmp_path / 'FastSAM3D.pth'
    torch.save(training_checkpoint(golden_sd), path)
    loaded = load_model(str(path), 'fastsam3d')
    assert loaded.kind == 'full'
    assert loaded.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert_same_weights(loaded.model, golden_sd)


def test_bare_and_dataparallel_state_dicts(tmp_path, golden_sd):
    bare = tmp_path / 'bare.pth'
    torch.save(golden_sd, bare)
    assert_same_weights(load_model(str(bare), 'fastsam3d').model, golden_sd)
    prefixed = tmp_path / 'dp.pth'
    torch.save({'model_state_dict': collections.OrderedDict(('module.' + k, v) for k, v in golden_sd.items())}, prefixed)
    assert_same_weights(load_model(str(prefixed), 'fastsam3d').model, golden_sd)


def test_encoder_only_student_with_teacher_decoder(tmp_path, golden_sd):
    enc = {k[len('image_encoder.'):]: v for k, v in golden_sd.items() if k.startswith('image_encoder.')}
    teacher = {k: v.clone() for k, v in golden_sd.items()}
    teacher['mask_decoder.iou_token.weight'] += 1.0  # the decoder must come from the teacher file
    # The teacher's own image encoder is some other network: it must be ignored.
    teacher = {k: v for k, v in teacher.items() if not k.startswith('image_encoder.')}
    teacher['image_encoder.blocks.7.attn.qkv.weight'] = torch.zeros(3, 3)
    student_path, teacher_path = tmp_path / 'student.pth', tmp_path / 'sam_med3d_turbo.pth'
    torch.save({'model_state_dict': enc}, student_path)
    torch.save({'model_state_dict': teacher}, teacher_path)
    loaded = load_model(str(student_path), 'fastsam3d', str(teacher_path))
    assert loaded.kind == 'encoder-only+teacher'
    assert loaded.teacher_sha256 == hashlib.sha256(teacher_path.read_bytes()).hexdigest()
    sd = loaded.model.state_dict()
    assert torch.equal(sd['mask_decoder.iou_token.weight'], golden_sd['mask_decoder.iou_token.weight'] + 1.0)
    assert torch.equal(sd['image_encoder.blocks.5.mlp.lin1.weight'], golden_sd['image_encoder.blocks.5.mlp.lin1.weight'])
    with pytest.raises(CheckpointError, match='--teacher'):
        load_model(str(student_path), 'fastsam3d')


def test_full_checkpoint_refuses_a_teacher(tmp_path, golden_sd):
    path = tmp_path / 'full.pth'
    torch.save(golden_sd, path)
    with pytest.raises(CheckpointError, match='only for encoder-only'):
        load_model(str(path), 'fastsam3d', str(path))


def test_missing_key_is_refused(tmp_path, golden_sd):
    sd = dict(golden_sd)
    del sd['mask_decoder.iou_token.weight']
    path = tmp_path / 'missing.pth'
    torch.save(sd, path)
    with pytest.raises(CheckpointError, match=r'1 missing key\(s\): mask_decoder.iou_token.weight'):
        load_model(str(path), 'fastsam3d')


def test_unexpected_key_is_refused(tmp_path, golden_sd):
    sd = dict(golden_sd)
    sd['image_encoder.blocks.6.norm1.weight'] = torch.ones(768)
    path = tmp_path / 'unexpected.pth'
    torch.save(sd, path)
    with pytest.raises(CheckpointError, match=r'1 unexpected key\(s\): image_encoder.blocks.6.norm1.weight'):
        load_model(str(path), 'fastsam3d')


def test_wrong_variant_is_refused_with_shapes(tmp_path, golden_sd):
    path = tmp_path / 'student.pth'
    torch.save(golden_sd, path)
    with pytest.raises(CheckpointError, match=r'shape mismatch.*rel_pos_d \(15, 128\) \(expected \(15, 64\)\)'):
        load_model(str(path), 'sam-med3d')


def test_not_a_checkpoint_is_refused(tmp_path):
    junk = tmp_path / 'junk.pth'
    junk.write_bytes(b'not a pickle')
    with pytest.raises(CheckpointError, match='cannot read'):
        load_model(str(junk), 'fastsam3d')
    with pytest.raises(CheckpointError, match='not a state dict'):
        extract_state_dict({'model_state_dict': {'a': 1}})
    with pytest.raises(CheckpointError, match='not found'):
        load_model(str(tmp_path / 'absent.pth'), 'fastsam3d')


def test_cli_prints_sha_refuses_and_exports(tmp_path, golden_sd, capsys):
    bad = dict(golden_sd)
    del bad['prompt_encoder.no_mask_embed.weight']
    bad_path = tmp_path / 'bad.pth'
    torch.save(bad, bad_path)
    assert import_checkpoint.main(['--checkpoint', str(bad_path), '--variant', 'fastsam3d', '--out', str(tmp_path / 'bad')]) == 2
    assert 'refused' in capsys.readouterr().err
    assert not os.path.exists(tmp_path / 'bad' / 'model.json')

    path = tmp_path / 'FastSAM3D.pth'
    torch.save(training_checkpoint(golden_sd), path)
    out = tmp_path / 'model'
    assert import_checkpoint.main(['--checkpoint', str(path), '--variant', 'fastsam3d', '--out', str(out)]) == 0
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    assert f'sha256 {sha}' in capsys.readouterr().out
    manifest = json.loads((out / 'model.json').read_text())
    assert manifest['source'] == {'checkpoint': 'FastSAM3D.pth', 'sha256': sha}
    assert manifest['name'] == 'FastSAM3D' and manifest['variant'] == 'fastsam3d'
    assert (out / 'encoder.onnx').stat().st_size > 150e6 and (out / 'decoder.onnx').stat().st_size > 20e6
