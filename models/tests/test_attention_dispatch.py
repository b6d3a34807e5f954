"""The torch >= 2 path (fused scaled_dot_product_attention) is wired with the right scale and bias.

torch here is 1.13 (no SDPA), so a stand-in with SDPA's documented semantics is installed: the golden
embedding and decoder output must come out unchanged through it, for both the 2.0 signature (no `scale`)
and the >= 2.1 one. The export must never trace it (math_attention)."""
import os

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from models.golden import CALL_A_LABELS, CALL_A_POINTS, golden_input, golden_model, relative_error
from models.modeling import common
from models.tests.paths import golden_dir

CALLS = []


def sdpa_2_1(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None):
    CALLS.append(tuple(query.shape))
    s = query.shape[-1] ** -0.5 if scale is None else scale
    logits = query @ key.transpose(-2, -1) * s
    if attn_mask is not None:
        logits = logits + attn_mask
    return logits.softmax(-1) @ value


def sdpa_2_0(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False):
    return sdpa_2_1(query, key, value, attn_mask, dropout_p, is_causal)


@pytest.mark.parametrize('fn,accepts_scale', [(sdpa_2_1, True), (sdpa_2_0, False)])
def test_sdpa_path_reproduces_golden(monkeypatch, fn, accepts_scale):
    monkeypatch.setattr(F, 'scaled_dot_product_attention', fn, raising=False)
    monkeypatch.setattr(common, '_SDPA', True)
    monkeypatch.setattr(common, '_SDPA_SCALE', accepts_scale)
    CALLS.clear()
    model = golden_model('fastsam3d')
    with torch.no_grad():
        emb = model.encode(golden_input())
        masks, _, _, _ = model.decode_all(emb, torch.tensor([CALL_A_POINTS]), torch.tensor([CALL_A_LABELS]), torch.zeros(1, 1, 32, 32, 32))
    assert len(CALLS) == 4 + 7  # four encoder attention blocks, seven decoder attentions
    assert relative_error(emb.numpy(), np.load(os.path.join(golden_dir(), 'student_embedding.npy'))) <= 1e-4
    assert relative_error(masks.numpy(), np.load(os.path.join(golden_dir(), 'student_A_masks4.npy'))) <= 1e-4
    CALLS.clear()
    with common.math_attention(), torch.no_grad():
        model.encode(golden_input())
    assert CALLS == []
