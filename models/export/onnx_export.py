"""Write the model folder the runtime reads: encoder.onnx, decoder.onnx (opset 17) and model.json.

Contract (fixed by the lead; packages/runtime reads it):
  encoder.onnx  image [1,1,128,128,128] -> image_embeddings [1,384,8,8,8]
  decoder.onnx  image_embeddings [1,384,8,8,8], point_coords [1,N,3], point_labels [1,N], mask_input
                [1,1,32,32,32], has_mask_input [1] -> low_res_logits [1,1,32,32,32], iou_predictions [1,1]
"""
import io
import json
import os
import time
import warnings
from typing import Dict, Optional

import onnx
import torch

from ..modeling.common import math_attention
from ..modeling.sam3d import Sam3D
from .wrappers import DecoderForExport, EncoderForExport

OPSET = 17
ENCODER_FILE = 'encoder.onnx'
DECODER_FILE = 'decoder.onnx'
MANIFEST_FILE = 'model.json'


def model_manifest(name: str, variant: str, checkpoint: str, sha256: Optional[str], model: Sam3D) -> Dict:
    enc = model.image_encoder
    s, g, c = enc.img_size, enc.grid_size, model.prompt_encoder.embed_dim
    low = 4 * g
    return {
        'format': 'fastsam-xr-model',
        'formatVersion': 1,
        'name': name,
        'variant': variant,
        'source': {'checkpoint': checkpoint, 'sha256': sha256},
        'files': {'encoder': ENCODER_FILE, 'decoder': DECODER_FILE},
        'opset': OPSET,
        'input': {
            'spacingMm': 1.5,
            'cropSize': s,
            'orientation': 'RAS+',
            'layout': 'C-order (a0,a1,a2) = (R,A,S)',
            'normalization': 'zscore over voxels > 0 of the crop, unbiased std, applied to all voxels',
            'pointAxisOrder': 'crop voxel index (a0,a1,a2)',
        },
        'embedding': {'shape': [1, c, g, g, g]},
        'lowResLogits': {'shape': [1, 1, low, low, low], 'upsample': 'trilinear align_corners=false', 'threshold': 0},
    }


def _export(module: torch.nn.Module, args, path: str, input_names, output_names, dynamic_axes) -> None:
    buffer = io.BytesIO()
    with warnings.catch_warnings(), math_attention():
        warnings.simplefilter('ignore')  # tracer warnings about fixed batch 1 are expected
        torch.onnx.export(
            module, args, buffer, opset_version=OPSET, input_names=input_names, output_names=output_names,
            dynamic_axes=dynamic_axes, do_constant_folding=True,
        )
    proto = onnx.load_from_string(buffer.getvalue())
    onnx.checker.check_model(proto)
    with open(path, 'wb') as fh:
        fh.write(buffer.getvalue())


def export_encoder(model: Sam3D, path: str) -> None:
    s = model.image_encoder.img_size
    _export(
        EncoderForExport(model.image_encoder).eval(), (torch.zeros(1, 1, s, s, s),), path,
        ['image'], ['image_embeddings'], None,
    )


def decoder_example_inputs(model: Sam3D, num_points: int = 2):
    g, c = model.prompt_encoder.image_embedding_size[0], model.prompt_encoder.embed_dim
    return (
        torch.zeros(1, c, g, g, g),
        torch.full((1, num_points, 3), 10.0),
        torch.ones(1, num_points),
        torch.zeros(1, 1, 4 * g, 4 * g, 4 * g),
        torch.ones(1),
    )


def export_decoder(model: Sam3D, path: str, upscale: str = 'matmul') -> None:
    _export(
        DecoderForExport(model, upscale).eval(), decoder_example_inputs(model), path,
        ['image_embeddings', 'point_coords', 'point_labels', 'mask_input', 'has_mask_input'],
        ['low_res_logits', 'iou_predictions'],
        {'point_coords': {1: 'num_points'}, 'point_labels': {1: 'num_points'}},
    )


def export_model_folder(
    model: Sam3D,
    out_dir: str,
    *,
    name: str,
    variant: str,
    checkpoint: str,
    sha256: Optional[str],
    upscale: str = 'matmul',
    extra_source: Optional[Dict] = None,
    log=print,
) -> Dict:
    """Export both graphs (checked with onnx.checker) and write model.json last (its presence = complete)."""
    os.makedirs(out_dir, exist_ok=True)
    manifest_path = os.path.join(out_dir, MANIFEST_FILE)
    if os.path.exists(manifest_path):
        os.remove(manifest_path)
    model = model.eval()
    timings = {}
    with torch.no_grad():
        t = time.perf_counter()
        export_encoder(model, os.path.join(out_dir, ENCODER_FILE))
        timings['encoder_s'] = time.perf_counter() - t
        t = time.perf_counter()
        export_decoder(model, os.path.join(out_dir, DECODER_FILE), upscale)
        timings['decoder_s'] = time.perf_counter() - t
    manifest = model_manifest(name, variant, checkpoint, sha256, model)
    manifest['source'].update(extra_source or {})
    with open(manifest_path, 'w') as fh:
        json.dump(manifest, fh, indent=2)
        fh.write('\n')
    for key, file in (('encoder', ENCODER_FILE), ('decoder', DECODER_FILE)):
        size = os.path.getsize(os.path.join(out_dir, file))
        log(f'wrote {os.path.join(out_dir, file)} ({size / 1e6:.1f} MB, {timings[key + "_s"]:.1f} s)')
    log(f'wrote {manifest_path}')
    return {'manifest': manifest, 'timings': timings}
