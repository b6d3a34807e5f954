"""The shipped default model folder `models/weights/fastsam-xr-unet`: within the 40 MB budget, a manifest the
runtime reads (the embedding and logits shapes of its config, every click per pass), graphs that pass the ONNX
checker and hold trained weights, the fp16 weights a later session continues from, and the held-out
evaluation and model card beside it."""
import json
import os

import numpy as np
import onnx
import torch
from onnx import numpy_helper

from models.data.split import load_split
from models.modeling.promptable_unet import UNET_CONFIGS, build_unet

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
WEIGHTS = os.path.join(REPO, 'models', 'weights', 'fastsam-xr-unet')


def _manifest():
    with open(os.path.join(WEIGHTS, 'model.json')) as fh:
        return json.load(fh)


def test_size_budget_and_manifest():
    enc, dec = (os.path.getsize(os.path.join(WEIGHTS, f)) for f in ('encoder.onnx', 'decoder.onnx'))
    assert enc + dec <= 40 * 1000 * 1000
    m = _manifest()
    c = UNET_CONFIGS[m['variant']]
    assert m['embedding']['shape'] == list(c.embedding_shape)
    assert m['lowResLogits']['shape'] == [1, 1, c.low_res, c.low_res, c.low_res]
    assert m['input']['cropSize'] == c.img_size and m['input']['spacingMm'] == 1.5
    assert m['decoder']['prompts'] == 'all'
    assert len(m['source']['sha256']) == 64


def test_graphs_are_valid_and_hold_the_fp16_weights_trained_values():
    m = _manifest()
    state = torch.load(os.path.join(WEIGHTS, 'weights-fp16.pt'), map_location='cpu')
    assert state['config'] == m['variant']
    model = build_unet(state['config'])
    model.load_state_dict({k: v.float() for k, v in state['model'].items()})  # strict: the config matches
    encoder = onnx.load(os.path.join(WEIGHTS, 'encoder.onnx'))
    onnx.checker.check_model(encoder)
    inits = [numpy_helper.to_array(i) for i in encoder.graph.initializer]
    kernels = [k for k, v in state['model'].items() if v.dim() == 5]
    assert kernels
    first = state['model'][kernels[0]].float().numpy()
    same = [a for a in inits if a.shape == first.shape and np.allclose(a, first, atol=2e-3)]
    assert same, 'the encoder graph holds the fp16 file\'s first convolution kernel'
    fresh = build_unet(state['config']).state_dict()[kernels[0]].numpy()
    assert not np.allclose(first, fresh, atol=1e-3)  # trained, not the initialisation
    decoder = onnx.load(os.path.join(WEIGHTS, 'decoder.onnx'))
    onnx.checker.check_model(decoder)
    assert [i.name for i in decoder.graph.input] == ['image_embeddings', 'point_coords', 'point_labels', 'mask_input',
                                                      'has_mask_input']


def test_heldout_evaluation_and_model_card_are_shipped():
    with open(os.path.join(WEIGHTS, 'heldout_eval.json')) as fh:
        ev = json.load(fh)
    sides = load_split()
    assert ev['cases'] and all(sides[c] == 'held_out' for c in ev['cases'])  # never a training subject
    for crop in ('gt-center', 'first-click'):
        groups = ev['crops'][crop]['groups']
        assert groups['all']['targets'] == len(ev['targets'])
        assert set(groups['all']['model']) == {'1', '3', '5', '10'}
    with open(os.path.join(WEIGHTS, 'MODEL_CARD.md')) as fh:
        card = fh.read()
    for needle in ('models.train.unet_recipe', 'held-out', 'Known limits', 'Ship rule'):
        assert needle in card
