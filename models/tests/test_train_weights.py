"""The earlier default model folder `models/weights/fastsam3d-xr-small` (loadable with `--model`): within the
40 MB budget, a manifest the runtime reads (embedding shape of the fastsam3d-xr-small config), graphs that
pass the ONNX checker with the config's weights, and the held-out evaluation and model card beside it."""
import json
import os

import numpy as np
import onnx
from onnx import numpy_helper

from models.modeling.registry import CONFIGS, build_sam3d

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
WEIGHTS = os.path.join(REPO, 'models', 'weights', 'fastsam3d-xr-small')


def test_size_budget_and_manifest():
    enc, dec = (os.path.getsize(os.path.join(WEIGHTS, f)) for f in ('encoder.onnx', 'decoder.onnx'))
    assert enc + dec <= 40 * 1000 * 1000
    with open(os.path.join(WEIGHTS, 'model.json')) as fh:
        m = json.load(fh)
    c = CONFIGS['fastsam3d-xr-small']
    g = c.img_size // c.patch_size
    assert m['embedding']['shape'] == [1, c.out_chans, g, g, g]
    assert m['lowResLogits']['shape'] == [1, 1, 4 * g, 4 * g, 4 * g]
    assert m['input']['cropSize'] == c.img_size and m['input']['spacingMm'] == 1.5
    assert len(m['source']['sha256']) == 64


def test_graphs_are_valid_and_hold_trained_fp32_weights():
    model = onnx.load(os.path.join(WEIGHTS, 'encoder.onnx'))
    onnx.checker.check_model(model)
    inits = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    assert all(a.dtype != np.float16 for a in inits.values())
    # the patch embedding kernel is in the graph under its PyTorch shape, and it is not the untrained init
    ref = build_sam3d('fastsam3d-xr-small').image_encoder.patch_embed.proj.weight.detach().numpy()
    kernels = [a for a in inits.values() if a.shape == ref.shape]
    assert len(kernels) == 1
    assert np.abs(kernels[0]).max() > 1.5 * np.abs(ref).max()  # trained weights grew past the uniform init bound
    dec = onnx.load(os.path.join(WEIGHTS, 'decoder.onnx'))
    onnx.checker.check_model(dec)
    names = [i.name for i in dec.graph.input]
    assert names == ['image_embeddings', 'point_coords', 'point_labels', 'mask_input', 'has_mask_input']


def test_heldout_evaluation_and_model_card_are_shipped():
    with open(os.path.join(WEIGHTS, 'heldout_eval.json')) as fh:
        ev = json.load(fh)
    assert ev['clicks'] == [1, 3, 5, 10]
    from models.data.split import load_split
    sides = load_split()
    assert ev['cases'] and all(sides[c['case']] == 'held_out' for c in ev['cases'])  # never a training subject
    with open(os.path.join(WEIGHTS, 'MODEL_CARD.md')) as fh:
        card = fh.read()
    for needle in ('models.train.recipe', 'held-out', 'Known limits'):
        assert needle in card
