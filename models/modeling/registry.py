"""Named model configurations -> Sam3D builders."""
from dataclasses import dataclass, field
from typing import Callable, Dict, Optional, Sequence

from .image_encoder import ImageEncoderViT3D
from .mask_decoder import MaskDecoder3D
from .prompt_encoder import PromptEncoder3D
from .sam3d import Sam3D
from .sparse_attention import SparseAttentionConfig


@dataclass(frozen=True)
class ModelConfig:
    img_size: int = 128
    patch_size: int = 16
    embed_dim: int = 768
    depth: int = 6
    num_heads: int = 6
    out_chans: int = 384
    window_size: int = 0
    global_attn_indexes: Sequence[int] = ()
    skip_layer: int = 0
    residual_form: str = 'fastsam3d'
    sparse_attention: Dict[int, SparseAttentionConfig] = field(default_factory=dict)
    decoder_mlp_dim: int = 2048
    iou_head_hidden_dim: int = 256
    description: str = ''

    @property
    def grid_size(self) -> int:
        return self.img_size // self.patch_size


_PAPER_SPARSE = SparseAttentionConfig(segment_length=8, dilation=64)

CONFIGS: Dict[str, ModelConfig] = {
    'fastsam3d': ModelConfig(
        depth=6, num_heads=6, skip_layer=2, residual_form='fastsam3d',
        description='FastSAM3D student: 6 blocks, width 768, 6 heads, blocks 0-1 FFN-only, dense global attention',
    ),
    'fastsam3d-sparse': ModelConfig(
        depth=6, num_heads=6, skip_layer=2, residual_form='fastsam3d',
        sparse_attention={i: _PAPER_SPARSE for i in range(2, 6)},
        description='FastSAM3D student with the paper\'s 3D sparse attention (w=8, r=64) in blocks 2-5 (experimental)',
    ),
    'sam-med3d': ModelConfig(
        depth=12, num_heads=12, window_size=14, global_attn_indexes=(2, 5, 8, 11), residual_form='sammed3d',
        description='SAM-Med3D ViT-B teacher (vit_b_ori), SAM-Med3D\'s own pre-norm residual form',
    ),
    'sam-med3d-fastsam3d-form': ModelConfig(
        depth=12, num_heads=12, window_size=14, global_attn_indexes=(2, 5, 8, 11), residual_form='fastsam3d',
        description='SAM-Med3D teacher weights run with FastSAM3D\'s LN-on-residual block (its distillation targets)',
    ),
    # Small configurations for fast tests (same code paths, tiny widths; 32^3 input, 4^3 tokens).
    'tiny-student': ModelConfig(
        img_size=32, patch_size=8, embed_dim=48, depth=4, num_heads=2, out_chans=48, skip_layer=2,
        decoder_mlp_dim=64, iou_head_hidden_dim=32, description='test-sized student',
    ),
    'tiny-teacher': ModelConfig(
        img_size=32, patch_size=8, embed_dim=48, depth=4, num_heads=4, out_chans=48, window_size=6,
        global_attn_indexes=(1, 3), residual_form='sammed3d', decoder_mlp_dim=64, iou_head_hidden_dim=32,
        description='test-sized teacher (4^3 tokens padded to one 6^3 window)',
    ),
}

VARIANTS = ('fastsam3d', 'sam-med3d')


def build_image_encoder(config: ModelConfig, sparse_attention: Optional[Dict[int, SparseAttentionConfig]] = None) -> ImageEncoderViT3D:
    return ImageEncoderViT3D(
        img_size=config.img_size, patch_size=config.patch_size, embed_dim=config.embed_dim, depth=config.depth,
        num_heads=config.num_heads, out_chans=config.out_chans, window_size=config.window_size,
        global_attn_indexes=config.global_attn_indexes, skip_layer=config.skip_layer,
        residual_form=config.residual_form,
        sparse_attention=config.sparse_attention if sparse_attention is None else sparse_attention,
    )


def build_sam3d(name: str, sparse_attention: Optional[Dict[int, SparseAttentionConfig]] = None) -> Sam3D:
    """Build a named configuration (weights uninitialised: load a state dict or the golden recipe).
    sparse_attention overrides the per-block sparse switch ({block index: config}; {} = all dense)."""
    if name not in CONFIGS:
        raise KeyError(f'unknown model configuration {name!r}; known: {", ".join(CONFIGS)}')
    c = CONFIGS[name]
    g = c.grid_size
    model = Sam3D(
        build_image_encoder(c, sparse_attention),
        PromptEncoder3D(c.out_chans, (g, g, g), (c.img_size,) * 3, mask_in_chans=16),
        MaskDecoder3D(c.out_chans, iou_head_hidden_dim=c.iou_head_hidden_dim, transformer_mlp_dim=c.decoder_mlp_dim),
    )
    return model.eval()


BUILDERS: Dict[str, Callable[[], Sam3D]] = {name: (lambda n=name: build_sam3d(n)) for name in CONFIGS}


# The project's shipped default (engineer TRAIN): FastSAM3D's architecture (6 blocks, blocks 0-1 FFN-only,
# LN-on-residual, dense global attention with rel-pos) at a narrower width so encoder.onnx + decoder.onnx fit
# in 40 MB and it trains on a CPU. Same 128^3 crop, 16^3 patches, 8^3 tokens; embedding (1,192,8,8,8).
CONFIGS['fastsam3d-xr-small'] = ModelConfig(
    embed_dim=192, depth=6, num_heads=6, out_chans=192, skip_layer=2, residual_form='fastsam3d',
    decoder_mlp_dim=768, iou_head_hidden_dim=128,
    description='fastsam-xr shipped default: FastSAM3D form at width 192 (6 heads of 32), embedding 192, decoder MLP 768',
)
# Distillation test teacher: 8 blocks so that every block i of 'tiny-student' (depth 4) has a teacher block 2i.
CONFIGS['tiny-teacher-deep'] = ModelConfig(
    img_size=32, patch_size=8, embed_dim=48, depth=8, num_heads=4, out_chans=48, window_size=6,
    global_attn_indexes=(1, 3, 5, 7), residual_form='sammed3d', decoder_mlp_dim=64, iou_head_hidden_dim=32,
    description='test-sized 8-block teacher for layer-wise distillation of tiny-student (block i <-> block 2i)',
)
BUILDERS.update({name: (lambda n=name: build_sam3d(n)) for name in ('fastsam3d-xr-small', 'tiny-teacher-deep')})
