"""3D sparse ("dilated") attention as the paper describes it (paper §2.3 Eq. 3, spec §5)."""
import os

import numpy as np
import pytest
import torch

from models.golden import golden_input, golden_model, relative_error
from models.golden_weights import fill_golden
from models.modeling.attention import Attention3D
from models.modeling.image_encoder import Block3D
from models.modeling.registry import build_sam3d
from models.modeling.sparse_attention import SparseAttentionConfig, segment_token_index, sparse_attention
from models.tests.paths import golden_dir


def explicit_sparse(q, k, v, w, r, bias=None):
    """Segment by segment, straight from Eq. 3: S^_i = [S_i, S_{i+r}, ..., S_{i+(w-1)r}] per block of w*r."""
    out = torch.zeros_like(q)
    n = q.shape[1]
    for start in range(0, n, w * r):
        for i in range(r):
            idx = torch.tensor([start + i + m * r for m in range(w)])
            logits = q[:, idx] @ k[:, idx].transpose(1, 2) * q.shape[-1] ** -0.5
            if bias is not None:
                logits = logits + bias[:, idx][:, :, idx]
            out[:, idx] = logits.softmax(-1) @ v[:, idx]
    return out


def test_segments_follow_equation_3():
    idx = segment_token_index(16, SparseAttentionConfig(segment_length=4, dilation=2))
    assert idx.tolist() == [[0, 2, 4, 6], [1, 3, 5, 7], [8, 10, 12, 14], [9, 11, 13, 15]]
    # every token in exactly one segment
    assert sorted(idx.reshape(-1).tolist()) == list(range(16))


@pytest.mark.parametrize('w,r', [(4, 8), (8, 2), (2, 1), (64, 1)])
def test_matches_explicit_segment_loop_in_input_order(w, r):
    torch.manual_seed(w * 100 + r)
    q, k, v = torch.randn(3, 64, 8), torch.randn(3, 64, 8), torch.randn(3, 64, 8)
    bias = torch.randn(3, 64, 64)
    cfg = SparseAttentionConfig(w, r)
    assert torch.allclose(sparse_attention(q, k, v, cfg), explicit_sparse(q, k, v, w, r), atol=1e-6)
    assert torch.allclose(sparse_attention(q, k, v, cfg, bias), explicit_sparse(q, k, v, w, r, bias), atol=1e-6)


def test_permuting_tokens_inside_a_segment_permutes_the_output():
    torch.manual_seed(3)
    cfg = SparseAttentionConfig(4, 4)
    q, k, v = torch.randn(2, 32, 8), torch.randn(2, 32, 8), torch.randn(2, 32, 8)
    out = sparse_attention(q, k, v, cfg)
    perm = torch.arange(32)
    perm[[1, 5, 9, 13]] = torch.tensor([13, 1, 5, 9])  # a cyclic shift inside segment i=1 of block 0
    out_p = sparse_attention(q[:, perm], k[:, perm], v[:, perm], cfg)
    assert torch.allclose(out_p, out[:, perm], atol=1e-6)
    # tokens of other segments never influence segment i=1 of block 0
    q2, k2, v2 = q.clone(), k.clone(), v.clone()
    others = torch.tensor([t for t in range(32) if t not in (1, 5, 9, 13)])
    for t in (q2, k2, v2):
        t[:, others] = torch.randn(2, len(others), 8)
    out2 = sparse_attention(q2, k2, v2, cfg)
    assert torch.allclose(out2[:, [1, 5, 9, 13]], out[:, [1, 5, 9, 13]], atol=1e-6)
    assert not torch.allclose(out2[:, others], out[:, others], atol=1e-3)


def test_invalid_configurations_are_refused():
    with pytest.raises(ValueError, match='whole number of blocks'):
        sparse_attention(torch.zeros(1, 30, 4), torch.zeros(1, 30, 4), torch.zeros(1, 30, 4), SparseAttentionConfig(4, 2))
    with pytest.raises(ValueError, match='w >= 1'):
        SparseAttentionConfig(0, 1)
    with pytest.raises(ValueError, match='have no attention'):
        build_sam3d('fastsam3d', sparse_attention={0: SparseAttentionConfig(512, 1)})


def test_layer_equals_dense_when_one_segment_covers_all_tokens():
    torch.manual_seed(5)
    dense = fill_golden(Attention3D(768, 6, grid_size=8), 'image_encoder.blocks.2.attn.')
    sparse = fill_golden(Attention3D(768, 6, grid_size=8, sparse=SparseAttentionConfig(512, 1)), 'image_encoder.blocks.2.attn.')
    x = torch.nn.functional.layer_norm(torch.randn(1, 8, 8, 8, 768), (768,))
    with torch.no_grad():
        assert relative_error(sparse(x).numpy(), dense(x).numpy()) <= 1e-5


def test_encoder_with_full_segments_reproduces_golden_and_other_settings_differ():
    torch.set_num_threads(1)
    x = golden_input()
    ref = np.load(os.path.join(golden_dir(), 'student_embedding.npy'))
    full = {i: SparseAttentionConfig(512, 1) for i in range(2, 6)}
    with torch.no_grad():
        emb_full = fill_golden(build_sam3d('fastsam3d', sparse_attention=full)).encode(x).numpy()
        emb_paper = fill_golden(build_sam3d('fastsam3d-sparse')).encode(x).numpy()  # w=8, r=64
        other = {i: SparseAttentionConfig(64, 8) for i in range(2, 6)}
        emb_other = fill_golden(build_sam3d('fastsam3d', sparse_attention=other)).encode(x).numpy()
    assert relative_error(emb_full, ref) <= 1e-4
    for emb in (emb_paper, emb_other):
        assert np.all(np.isfinite(emb)) and emb.shape == (1, 384, 8, 8, 8)
        assert relative_error(emb, ref) > 1e-3
    assert relative_error(emb_paper, emb_other) > 1e-3


def test_teacher_padded_window_shortcut_is_exact():
    """Attending from the real query rows only equals full attention over the padded window, cropped."""
    torch.manual_seed(7)
    attn = Attention3D(48, 4, grid_size=6)
    for p in attn.parameters():
        torch.nn.init.normal_(p, std=0.3)
    x = torch.nn.functional.pad(torch.randn(1, 4, 4, 4, 48), (0, 0, 0, 2, 0, 2, 0, 2))
    with torch.no_grad():
        full = attn(x)[:, :4, :4, :4]
        short = attn(x, query_extent=4)
    assert torch.allclose(short, full, atol=1e-5)


def test_several_windows_per_axis_attend_inside_each_window():
    torch.manual_seed(8)
    block = Block3D(16, 2, grid_size=4, window_size=2, residual_form='sammed3d')
    for p in block.parameters():
        torch.nn.init.normal_(p, std=0.3)
    h = torch.randn(1, 4, 4, 4, 16)
    with torch.no_grad():
        got = block._attend(h)
        ref = torch.zeros_like(h)
        for a in range(2):
            for b in range(2):
                for c in range(2):
                    sl = (slice(None), slice(2 * a, 2 * a + 2), slice(2 * b, 2 * b + 2), slice(2 * c, 2 * c + 2))
                    ref[sl] = block.attn(h[sl].contiguous())
    assert torch.allclose(got, ref, atol=1e-5)


@pytest.mark.parametrize('name', ['tiny-student', 'tiny-teacher'])
def test_tiny_configurations_run_end_to_end(name):
    model = fill_golden(build_sam3d(name))
    x = torch.randn(1, 1, 32, 32, 32)
    with torch.no_grad():
        emb = model.encode(x)
        low, iou = model.decode(emb, torch.tensor([[[3.0, 20.0, 9.0]]]), torch.tensor([[1.0]]), torch.zeros(1, 1, 16, 16, 16))
    assert emb.shape == (1, 48, 4, 4, 4) and low.shape == (1, 1, 16, 16, 16) and iou.shape == (1, 1)
    assert torch.isfinite(low).all()
    with pytest.raises(ValueError, match='expects'):
        model.encode(torch.zeros(1, 1, 16, 16, 16))
