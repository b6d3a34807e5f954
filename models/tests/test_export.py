"""ONNX export: the rewritten modules equal the Sam3D path, and the written graphs follow the contract."""
import json
import os

import numpy as np
import onnx
import pytest
import torch

from models import export_golden
from models.export.upscaling import MatMulConvTranspose3d, MatMulUpscaler
from models.export.wrappers import DecoderForExport, EncoderForExport
from models.golden import CALL_A_POINTS, CALL_B_POINTS, golden_input, golden_model, relative_error
from models.tests.paths import golden_dir


@pytest.fixture(scope='module')
def student():
    torch.set_num_threads(1)
    return golden_model('fastsam3d')


@pytest.fixture(scope='module')
def golden_embedding():
    return torch.from_numpy(np.load(os.path.join(golden_dir(), 'student_embedding.npy')))


def test_matmul_conv_transpose_equals_conv_transpose():
    torch.manual_seed(0)
    conv = torch.nn.ConvTranspose3d(12, 5, kernel_size=2, stride=2)
    x = torch.randn(1, 12, 3, 4, 5)
    with torch.no_grad():
        ref, got = conv(x), MatMulConvTranspose3d(conv)(x)
    assert got.shape == (1, 5, 6, 8, 10)
    assert torch.max(torch.abs(got - ref)) <= 1e-6 * max(1.0, float(ref.abs().max()))
    with pytest.raises(ValueError, match='kernel 2, stride 2'):
        MatMulConvTranspose3d(torch.nn.ConvTranspose3d(4, 4, kernel_size=3, stride=2))


def test_matmul_upscaler_equals_conv_path(student):
    dec = student.mask_decoder
    torch.manual_seed(1)
    keys, hyper = torch.randn(1, 512, 384), torch.randn(1, 48)
    with torch.no_grad():
        up = dec.output_upscaling(keys.transpose(1, 2).reshape(1, 384, 8, 8, 8))
        ref = (hyper @ up.reshape(1, 48, -1)).reshape(1, 1, 32, 32, 32)
        got = MatMulUpscaler(dec.output_upscaling, 8)(keys, hyper)
    assert relative_error(got.numpy(), ref.numpy()) <= 1e-6


def test_encoder_wrapper_equals_encoder(student):
    x = golden_input()
    with torch.no_grad():
        ref = student.image_encoder(x)
        got = EncoderForExport(student.image_encoder)(x)
    assert relative_error(got.numpy(), ref.numpy()) <= 1e-6


@pytest.mark.parametrize('upscale', ['matmul', 'convtranspose'])
def test_decoder_wrapper_equals_sam3d_path(student, golden_embedding, upscale):
    wrapper = DecoderForExport(student, upscale).eval()
    emb = golden_embedding
    masks_a_ref = np.load(os.path.join(golden_dir(), 'student_A_masks4.npy'))
    masks_b_ref = np.load(os.path.join(golden_dir(), 'student_B_masks4.npy'))
    with torch.no_grad():
        # call A: zero mask WITH has_mask_input = 1 (the eval's first click)
        low_a, iou_a = wrapper(emb, torch.tensor([CALL_A_POINTS]), torch.tensor([[1.0]]), torch.zeros(1, 1, 32, 32, 32), torch.ones(1))
        ref_a, ref_iou_a = student.decode(emb, torch.tensor([CALL_A_POINTS]), torch.tensor([[1.0]]), torch.zeros(1, 1, 32, 32, 32))
        low_b, _ = wrapper(emb, torch.tensor([CALL_B_POINTS]), torch.tensor([[1.0, 0.0]]), torch.from_numpy(masks_a_ref[:, 0:1]), torch.ones(1))
        # has_mask_input = 0: no_mask_embed, whatever the mask input holds
        low_n, _ = wrapper(emb, torch.tensor([CALL_A_POINTS]), torch.tensor([[1.0]]), torch.full((1, 1, 32, 32, 32), 7.0), torch.zeros(1))
        ref_n, _ = student.decode(emb, torch.tensor([CALL_A_POINTS]), torch.tensor([[1.0]]), None)
    assert low_a.shape == (1, 1, 32, 32, 32) and iou_a.shape == (1, 1)
    assert relative_error(low_a.numpy(), ref_a.numpy()) <= 1e-5
    assert relative_error(iou_a.numpy(), ref_iou_a.numpy()) <= 1e-5
    assert relative_error(low_a.numpy(), masks_a_ref[:, 0:1]) <= 1e-4
    assert relative_error(low_b.numpy(), masks_b_ref[:, 0:1]) <= 1e-4
    assert relative_error(low_n.numpy(), ref_n.numpy()) <= 1e-5
    assert relative_error(low_n.numpy(), ref_a.numpy()) > 1e-3  # the flag really switches the dense prompt


def _dims(value_info):
    return [d.dim_value if d.HasField('dim_value') else d.dim_param for d in value_info.type.tensor_type.shape.dim]


@pytest.fixture(scope='module')
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp('golden-fastsam3d')
    assert export_golden.main(['--out', str(out)]) == 0
    return out


def test_export_writes_contract_folder(exported):
    manifest = json.loads((exported / 'model.json').read_text())
    assert manifest == {
        'format': 'fastsam-xr-model', 'formatVersion': 1, 'name': 'golden-fastsam3d', 'variant': 'fastsam3d',
        'source': {'checkpoint': 'golden-recipe', 'sha256': None},
        'files': {'encoder': 'encoder.onnx', 'decoder': 'decoder.onnx'},
        'opset': 17,
        'input': {
            'spacingMm': 1.5, 'cropSize': 128, 'orientation': 'RAS+', 'layout': 'C-order (a0,a1,a2) = (R,A,S)',
            'normalization': 'zscore over voxels > 0 of the crop, unbiased std, applied to all voxels',
            'pointAxisOrder': 'crop voxel index (a0,a1,a2)',
        },
        'embedding': {'shape': [1, 384, 8, 8, 8]},
        'lowResLogits': {'shape': [1, 1, 32, 32, 32], 'upsample': 'trilinear align_corners=false', 'threshold': 0},
    }


def test_exported_graphs_are_valid_with_contract_names(exported):
    enc = onnx.load(str(exported / 'encoder.onnx'))
    dec = onnx.load(str(exported / 'decoder.onnx'))
    for m in (enc, dec):
        onnx.checker.check_model(m)
        assert [o.version for o in m.opset_import if o.domain in ('', 'ai.onnx')] == [17]
    assert {i.name: _dims(i) for i in enc.graph.input} == {'image': [1, 1, 128, 128, 128]}
    assert {o.name: _dims(o) for o in enc.graph.output} == {'image_embeddings': [1, 384, 8, 8, 8]}
    assert {i.name: _dims(i) for i in dec.graph.input} == {
        'image_embeddings': [1, 384, 8, 8, 8], 'point_coords': [1, 'num_points', 3], 'point_labels': [1, 'num_points'],
        'mask_input': [1, 1, 32, 32, 32], 'has_mask_input': [1],
    }
    assert {o.name: _dims(o) for o in dec.graph.output} == {'low_res_logits': [1, 1, 32, 32, 32], 'iou_predictions': [1, 1]}
    dec_ops = {n.op_type for n in dec.graph.node}
    assert not dec_ops & {'NonZero', 'ScatterND', 'GatherND', 'ConvTranspose'}, dec_ops
    assert 'LayerNormalization' in dec_ops


def test_export_golden_rejects_unknown_variant(tmp_path):
    with pytest.raises(SystemExit):
        export_golden.main(['--out', str(tmp_path), '--variant', 'vit-huge'])
