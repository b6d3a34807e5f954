"""The promptable U-Net (`fastsam-xr-unet` and its tiny test configuration): shapes, the space-to-depth
packing of the embedding, that every click (not only the newest) reaches the decoder, that the training
loop learns a sample, the training command end to end with resume, and the ONNX export's contract."""
import json
import os

import numpy as np
import onnx
import pytest
import torch

from models.export.unet_export import export_unet_folder, load_trained
from models.modeling.promptable_unet import UNET_CONFIGS, build_unet
from models.modeling.unet_encoder import fold2, unfold2
from models.train import train
from models.train.unet_interactive import evaluate_target, train_sample

from .test_train_loop import tiny_data  # noqa: F401  (pytest fixture: two small real volumes)


def _decode(model, emb, coords, labels, mask=None):
    low = model.config.low_res
    mask = torch.zeros(1, 1, low, low, low) if mask is None else mask
    return model.decode(emb, torch.tensor([coords], dtype=torch.float32), torch.tensor([labels], dtype=torch.float32),
                        mask, torch.ones(1))


def test_fold2_is_inverted_by_unfold2_and_keeps_neighbours_together():
    x = torch.arange(2 * 4 * 6 * 8, dtype=torch.float32).reshape(1, 2, 4, 6, 8)
    folded = fold2(x)
    assert folded.shape == (1, 16, 2, 3, 4)
    assert torch.equal(unfold2(folded, 2), x)
    # channel c*8 + (i*4 + j*2 + k) of cell (a, b, d) holds voxel (2a+i, 2b+j, 2d+k) of channel c
    assert folded[0, 8 + 5, 1, 2, 3] == x[0, 1, 3, 4, 7]


def test_shapes_follow_the_config():
    torch.manual_seed(0)
    for name in ('tiny-unet', 'fastsam-xr-unet'):
        c = UNET_CONFIGS[name]
        model = build_unet(name).eval()
        with torch.no_grad():
            emb = model.encode(torch.randn(1, 1, c.img_size, c.img_size, c.img_size))
            logits, iou = _decode(model, emb, [[c.img_size / 2] * 3, [1.0, 2.0, 3.0]], [1.0, 0.0])
        assert tuple(emb.shape) == c.embedding_shape
        assert logits.shape == (1, 1, c.low_res, c.low_res, c.low_res) and iou.shape == (1, 1)


def test_every_click_reaches_the_decoder():
    torch.manual_seed(1)
    model = build_unet('tiny-unet').eval()
    with torch.no_grad():
        emb = model.encode(torch.randn(1, 1, 32, 32, 32))
        a, _ = _decode(model, emb, [[8.0, 8.0, 8.0], [20.0, 20.0, 20.0]], [1.0, 1.0])
        b, _ = _decode(model, emb, [[8.0, 24.0, 8.0], [20.0, 20.0, 20.0]], [1.0, 1.0])  # only the OLDER click moved
        c, _ = _decode(model, emb, [[8.0, 8.0, 8.0], [20.0, 20.0, 20.0]], [1.0, 0.0])   # only a label changed
    assert (a - b).abs().max() > 1e-3
    assert (a - c).abs().max() > 1e-3


def test_a_given_first_click_is_the_one_decoded_first():
    """The sampler's click-centred crops hand their click to the loop; later clicks are simulated."""
    torch.manual_seed(2)
    model = build_unet('tiny-unet').train()
    image = np.random.default_rng(0).normal(size=(32, 32, 32)).astype(np.float32)
    target = np.zeros((32, 32, 32), bool)
    target[10:20, 12:22, 8:18] = True
    seen = []
    decode = model.decode
    model.decode = lambda emb, coords, *rest: seen.append(coords[0].tolist()) or decode(emb, coords, *rest)
    for seed in range(4):
        seen.clear()
        train_sample(model, image, target, 3, np.random.default_rng(seed), first_click=(11, 20, 9))
        assert seen[0] == [[11.0, 20.0, 9.0]]  # the first pass: that click alone
    seen.clear()
    train_sample(model, image, target, 1, np.random.default_rng(0))
    assert seen[0] != [[11.0, 20.0, 9.0]]  # without it the simulation picks a deep voxel (near 14.5, 16.5, 12.5)


def test_without_global_logits_the_global_path_cannot_veto_the_region_growing():
    """`global_logits=False` (the shipped form): the global path reaches the logits only through the head's
    tanh(up/4) input, so driving it to -1e4 everywhere moves the logits by a bounded amount; with direct
    global logits the same change swamps them (what drew a 5 % liver from one click)."""
    from dataclasses import replace
    from models.modeling.promptable_unet import PromptableUNet
    moved = {}
    for direct in (True, False):
        torch.manual_seed(3)
        model = PromptableUNet(replace(UNET_CONFIGS['tiny-unet'], global_logits=direct)).eval()
        assert ('decoder.global_gain' in model.state_dict()) == direct
        with torch.no_grad():
            emb = model.encode(torch.randn(1, 1, 32, 32, 32))
            before, _ = _decode(model, emb, [[16.0, 16.0, 16.0]], [1.0])
            model.decoder.dense_to_hyper.bias.fill_(-1e4)
            model.decoder.hyper_mlp.layers[-1].bias.fill_(1.0)
            after, _ = _decode(model, emb, [[16.0, 16.0, 16.0]], [1.0])
        moved[direct] = float((after - before).abs().max())
    assert moved[True] > 100
    assert moved[False] < 50


def test_a_closed_gate_stops_the_global_veto_and_an_open_one_passes_it():
    """`global_gate=True`: the direct global logits pass sigmoid(gate) per voxel. Closed (bias -30) the
    global path driven to -1e4 moves the logits by a bounded amount, as without direct logits; open (+30) it
    swamps them, as in the ungated form. The ungated weights load into it with only the gate missing."""
    from dataclasses import replace
    from models.modeling.promptable_unet import PromptableUNet
    config = replace(UNET_CONFIGS['tiny-unet'], global_gate=True)
    ungated = PromptableUNet(UNET_CONFIGS['tiny-unet']).state_dict()
    missing, unexpected = PromptableUNet(config).load_state_dict(ungated, strict=False)
    assert sorted(missing) == ['decoder.gate.bias', 'decoder.gate.weight'] and not unexpected
    moved = {}
    for bias in (-30.0, 30.0):
        torch.manual_seed(3)
        model = PromptableUNet(config).eval()
        with torch.no_grad():
            model.decoder.gate.bias.fill_(bias)
            emb = model.encode(torch.randn(1, 1, 32, 32, 32))
            before, _ = _decode(model, emb, [[16.0, 16.0, 16.0]], [1.0])
            model.decoder.dense_to_hyper.bias.fill_(-1e4)
            model.decoder.hyper_mlp.layers[-1].bias.fill_(1.0)
            after, _ = _decode(model, emb, [[16.0, 16.0, 16.0]], [1.0])
        moved[bias] = float((after - before).abs().max())
    assert moved[30.0] > 100
    assert moved[-30.0] < 50


def test_the_unit_gate_starts_as_the_ungated_decoder_and_ignores_the_sigmoid_gates_weights():
    """`unit_gate=True`: gate = 2 * sigmoid(x), x = 0 at the start, so an ungated decoder's weights give the same
    logits; a trained `global_gate` state (run i's) loads with its `gate` keys unexpected, not read as x."""
    from dataclasses import replace
    from models.modeling.promptable_unet import PromptableUNet
    torch.manual_seed(5)
    plain = PromptableUNet(UNET_CONFIGS['tiny-unet']).eval()
    gated = PromptableUNet(replace(UNET_CONFIGS['tiny-unet'], unit_gate=True)).eval()
    missing, unexpected = gated.load_state_dict(plain.state_dict(), strict=False)
    assert sorted(missing) == ['decoder.unit_gate.bias', 'decoder.unit_gate.weight'] and not unexpected
    with torch.no_grad():
        plain.decoder.hyper_mlp.layers[-1].bias.fill_(1.0)  # a global path that matters
        gated.decoder.hyper_mlp.layers[-1].bias.fill_(1.0)
        emb = plain.encode(torch.randn(1, 1, 32, 32, 32))
        a, _ = _decode(plain, emb, [[16.0, 16.0, 16.0]], [1.0])
        b, _ = _decode(gated, emb, [[16.0, 16.0, 16.0]], [1.0])
        assert torch.allclose(a, b, atol=1e-5)
        gated.decoder.unit_gate.bias.fill_(-30.0)  # closed: the direct global logits are gone
        c, _ = _decode(gated, emb, [[16.0, 16.0, 16.0]], [1.0])
        assert float((c - a).abs().max()) > 1e-3
    sigmoid_gated = PromptableUNet(replace(UNET_CONFIGS['tiny-unet'], global_gate=True)).state_dict()
    _, unexpected = gated.load_state_dict(sigmoid_gated, strict=False)
    assert sorted(unexpected) == ['decoder.gate.bias', 'decoder.gate.weight']


def test_the_gate_gets_its_own_learning_rate():
    from dataclasses import replace
    from models.modeling.promptable_unet import PromptableUNet
    from models.train.train import param_groups
    model = PromptableUNet(replace(UNET_CONFIGS['tiny-unet'], unit_gate=True))
    groups = param_groups(model, 10.0)
    assert [g['lr_scale'] for g in groups] == [1.0, 10.0]
    assert groups[1]['params'] == [model.decoder.unit_gate.weight, model.decoder.unit_gate.bias]
    assert sum(len(g['params']) for g in groups) == len(list(model.parameters()))
    with pytest.raises(SystemExit):
        param_groups(PromptableUNet(UNET_CONFIGS['tiny-unet']), 10.0)


def test_loop_learns_one_sample():
    torch.manual_seed(0)
    model = build_unet('tiny-unet').train()
    rng = np.random.default_rng(0)
    image = rng.normal(size=(32, 32, 32)).astype(np.float32)
    target = np.zeros((32, 32, 32), bool)
    target[10:20, 12:22, 8:18] = True
    image[target] += 2.0
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    losses = []
    for step in range(30):
        loss, dices = train_sample(model, image, target, 2, np.random.default_rng(step))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss))
    assert np.mean(losses[-5:]) < 0.6 * np.mean(losses[:5])
    dices = evaluate_target(model.eval(), image, target, 3, np.random.default_rng(5))
    assert len(dices) == 3 and dices[-1] > 0.5


def test_training_command_resumes_and_exports(tiny_data, tmp_path):  # noqa: F811
    out, cache = tmp_path / 'run', tmp_path / 'cache'
    args = ['--config', 'tiny-unet', '--out', str(out), '--data', str(tiny_data), '--cache', str(cache), '--seed', '5',
            '--clicks', '2', '--lr', '2e-3', '--warmup', '1', '--log-every', '1', '--steps', '4']
    train.main(args + ['--stop-at', '2'])
    train.main(args + ['--resume'])
    resumed = torch.load(out / 'checkpoint.pt')
    assert resumed['step'] == 4 and resumed['config'] == 'tiny-unet'
    straight = tmp_path / 'straight'
    train.main([*args[:3], str(straight), *args[4:]])
    again = torch.load(straight / 'checkpoint.pt')
    for k, v in again['model'].items():
        assert torch.allclose(v, resumed['model'][k], atol=1e-6), k

    model, config = load_trained(str(out / 'checkpoint.pt'))
    manifest = export_unet_folder(model, config, str(tmp_path / 'folder'), name='t', checkpoint='c', sha256=None,
                                  log=lambda *_: None)
    assert manifest['decoder'] == {'prompts': 'all'}
    assert manifest['lowResLogits']['shape'] == [1, 1, 16, 16, 16]
    with open(tmp_path / 'folder' / 'model.json') as fh:
        assert json.load(fh) == manifest
    dec = onnx.load(str(tmp_path / 'folder' / 'decoder.onnx'))
    assert [i.name for i in dec.graph.input] == ['image_embeddings', 'point_coords', 'point_labels', 'mask_input',
                                                 'has_mask_input']
    assert [o.name for o in dec.graph.output] == ['low_res_logits', 'iou_predictions']
    assert os.path.getsize(tmp_path / 'folder' / 'encoder.onnx') > 10_000


def test_training_command_mixes_synthseg_samples(tiny_data, tmp_path):  # noqa: F811
    out = tmp_path / 'run'
    train.main(['--config', 'tiny-unet', '--out', str(out), '--data', str(tiny_data), '--cache', str(tmp_path / 'c'),
                '--steps', '6', '--clicks', '1', '--log-every', '1', '--synthseg-p', '1'])
    with open(out / 'log.jsonl') as fh:
        samples = [json.loads(line).get('sample') for line in fh if '"step"' in line]
    assert samples and all(s.startswith('synthseg/') for s in samples if s)


def test_batch_accumulates_several_samples_per_step(tiny_data, tmp_path):  # noqa: F811
    """--batch 2 draws two samples per optimiser step (the same stream as two --batch 1 steps) and steps once.
    At learning rate 0 the weights stay the initial ones, so step 1 of --batch 2 must report the mean of the
    losses of steps 1 and 2 of --batch 1."""
    common = ['--config', 'tiny-unet', '--data', str(tiny_data), '--cache', str(tmp_path / 'c'), '--seed', '3',
              '--clicks', '2', '--warmup', '1', '--log-every', '1', '--lr', '0']
    train.main(common + ['--out', str(tmp_path / 'b2'), '--steps', '2', '--batch', '2'])
    train.main(common + ['--out', str(tmp_path / 'b1'), '--steps', '4'])
    with open(tmp_path / 'b2' / 'log.jsonl') as fh:
        b2 = [r for r in map(json.loads, fh) if r['event'] == 'step']
    with open(tmp_path / 'b1' / 'log.jsonl') as fh:
        b1 = [r for r in map(json.loads, fh) if r['event'] == 'step']
    assert [r['step'] for r in b2] == [1, 2] and torch.load(tmp_path / 'b2' / 'checkpoint.pt')['step'] == 2
    assert b1[0]['loss'] != pytest.approx(b1[1]['loss'])  # two different samples, so the mean says something
    assert b2[0]['loss'] == pytest.approx((b1[0]['loss'] + b1[1]['loss']) / 2, rel=1e-5)
    assert b2[1]['loss'] == pytest.approx((b1[2]['loss'] + b1[3]['loss']) / 2, rel=1e-5)


def test_device_option_is_refused_where_it_is_not_wired(tiny_data, tmp_path):  # noqa: F811
    with pytest.raises(SystemExit, match='promptable U-Net'):
        train.main(['--config', 'fastsam3d-xr-small', '--out', str(tmp_path), '--device', 'cuda'])
    with pytest.raises(SystemExit, match='--procs 1'):
        train.main(['--config', 'tiny-unet', '--out', str(tmp_path), '--device', 'cuda', '--procs', '2'])
