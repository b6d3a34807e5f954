"""Export the promptable U-Net (`fastsam-xr-unet`) into a model folder the runtime reads, with the SAME
contract as the FastSAM3D form (onnx_export.py): tensor names, point units and mask-input semantics are
identical; only the shapes differ and model.json states them:

  encoder.onnx  image [1,1,S,S,S] -> image_embeddings [1, dense+8*fine, S/4, S/4, S/4]
  decoder.onnx  image_embeddings, point_coords [1,N,3], point_labels [1,N], mask_input [1,1,S/2,S/2,S/2],
                has_mask_input [1] -> low_res_logits [1,1,S/2,S/2,S/2], iou_predictions [1,1]

  python -m models.export.unet_export --checkpoint RUN/checkpoint.pt --out models/weights/NAME [--name NAME]
"""
from __future__ import annotations

import argparse
import json
import os
from typing import Dict, Optional

import torch
import torch.nn as nn

from ..checkpoint import sha256_file
from ..modeling.promptable_unet import UNET_CONFIGS, PromptableUNet, build_unet
from .onnx_export import DECODER_FILE, ENCODER_FILE, MANIFEST_FILE, OPSET, _export


class UNetDecoderForExport(nn.Module):
    def __init__(self, model: PromptableUNet) -> None:
        super().__init__()
        self.decoder = model.decoder

    def forward(self, image_embeddings, point_coords, point_labels, mask_input, has_mask_input):
        logits, iou = self.decoder(image_embeddings, point_coords, point_labels, mask_input, has_mask_input)
        return logits, torch.sigmoid(iou)


class UNetEncoderForExport(nn.Module):
    def __init__(self, model: PromptableUNet) -> None:
        super().__init__()
        self.encoder = model.image_encoder

    def forward(self, image):
        return self.encoder(image)


def unet_manifest(name: str, config_name: str, checkpoint: str, sha256: Optional[str]) -> Dict:
    c = UNET_CONFIGS[config_name]
    low = c.low_res
    return {
        'format': 'fastsam-xr-model',
        'formatVersion': 1,
        'name': name,
        'variant': config_name,
        'source': {'checkpoint': checkpoint, 'sha256': sha256},
        'files': {'encoder': ENCODER_FILE, 'decoder': DECODER_FILE},
        'opset': OPSET,
        'input': {
            'spacingMm': 1.5,
            'cropSize': c.img_size,
            'orientation': 'RAS+',
            'layout': 'C-order (a0,a1,a2) = (R,A,S)',
            'normalization': 'zscore over voxels > 0 of the crop, unbiased std, applied to all voxels',
            'pointAxisOrder': 'crop voxel index (a0,a1,a2)',
        },
        'embedding': {'shape': list(c.embedding_shape)},
        'lowResLogits': {'shape': [1, 1, low, low, low], 'upsample': 'trilinear align_corners=false', 'threshold': 0},
        # every click so far goes into each decoder pass (the runtime's promptsForPass)
        'decoder': {'prompts': 'all'},
    }


def decoder_example_inputs(config_name: str, num_points: int = 2):
    c = UNET_CONFIGS[config_name]
    low = c.low_res
    return (
        torch.zeros(*c.embedding_shape),
        torch.full((1, num_points, 3), c.img_size / 3),
        torch.ones(1, num_points),
        torch.zeros(1, 1, low, low, low),
        torch.ones(1),
    )


def export_unet_folder(model: PromptableUNet, config_name: str, out_dir: str, *, name: str, checkpoint: str,
                       sha256: Optional[str], extra_source: Optional[Dict] = None, log=print) -> Dict:
    """Both graphs (checked by onnx.checker), then model.json last (its presence = the folder is complete)."""
    os.makedirs(out_dir, exist_ok=True)
    manifest_path = os.path.join(out_dir, MANIFEST_FILE)
    if os.path.exists(manifest_path):
        os.remove(manifest_path)
    model = model.eval()
    s = UNET_CONFIGS[config_name].img_size
    with torch.no_grad():
        _export(UNetEncoderForExport(model).eval(), (torch.zeros(1, 1, s, s, s),), os.path.join(out_dir, ENCODER_FILE),
                ['image'], ['image_embeddings'], None)
        _export(UNetDecoderForExport(model).eval(), decoder_example_inputs(config_name), os.path.join(out_dir, DECODER_FILE),
                ['image_embeddings', 'point_coords', 'point_labels', 'mask_input', 'has_mask_input'],
                ['low_res_logits', 'iou_predictions'],
                {'point_coords': {1: 'num_points'}, 'point_labels': {1: 'num_points'}})
    manifest = unet_manifest(name, config_name, checkpoint, sha256)
    manifest['source'].update(extra_source or {})
    with open(manifest_path, 'w') as fh:
        json.dump(manifest, fh, indent=2)
        fh.write('\n')
    for file in (ENCODER_FILE, DECODER_FILE):
        log(f'wrote {os.path.join(out_dir, file)} ({os.path.getsize(os.path.join(out_dir, file)) / 1e6:.1f} MB)')
    return manifest


def load_trained(checkpoint: str) -> tuple:
    """(model, config name) from a training checkpoint (`models.train.train`) or a bare fp16/fp32 state file
    {'config', 'model'}."""
    state = torch.load(checkpoint, map_location='cpu')
    config = state['config']
    model = build_unet(config)
    model.load_state_dict({k: v.float() for k, v in state['model'].items()})
    return model, config


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description='export a trained promptable U-Net into a runtime model folder')
    p.add_argument('--checkpoint', required=True)
    p.add_argument('--out', required=True)
    p.add_argument('--name', default=None)
    a = p.parse_args(argv)
    model, config = load_trained(a.checkpoint)
    export_unet_folder(model, config, a.out, name=a.name or config, checkpoint=os.path.basename(a.checkpoint),
                       sha256=sha256_file(a.checkpoint))
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
