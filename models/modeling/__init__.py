"""Model definition, laid out like segment-anything's `modeling/` package."""
from .common import LayerNorm3d, MLPBlock, MLP
from .image_encoder import ImageEncoderViT3D
from .prompt_encoder import PromptEncoder3D, PositionEmbeddingRandom3D
from .mask_decoder import MaskDecoder3D, TwoWayTransformer3D
from .sam3d import Sam3D

__all__ = [
    'LayerNorm3d', 'MLPBlock', 'MLP', 'ImageEncoderViT3D', 'PromptEncoder3D', 'PositionEmbeddingRandom3D',
    'MaskDecoder3D', 'TwoWayTransformer3D', 'Sam3D',
]
