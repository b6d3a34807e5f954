"""Export-time modules: fixed batch 1, precomputed constants, no data-dependent control flow."""
import torch
from torch import nn

from ..modeling.image_encoder import ImageEncoderViT3D
from ..modeling.sam3d import Sam3D
from .upscaling import MatMulUpscaler


class EncoderForExport(nn.Module):
    """image (1,1,128,128,128) -> image_embeddings (1,384,8,8,8); gathered rel-pos tables become constants."""

    def __init__(self, encoder: ImageEncoderViT3D) -> None:
        super().__init__()
        self.encoder = encoder
        for block in encoder.blocks:
            if block.has_attention:
                block.attn.freeze_rel_pos_tables()

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return self.encoder(image)


class DecoderForExport(nn.Module):
    """Prompt encoder + mask decoder as one graph (contract of the model folder).

    image_embeddings (1,384,8,8,8); point_coords (1,N,3) raw crop voxel indices (p0,p1,p2); point_labels (1,N)
    1/0; mask_input (1,1,32,32,32) raw logits; has_mask_input (1,) 1 = mask path, 0 = no_mask_embed
    -> low_res_logits (1,1,32,32,32) (channel 0, multimask off), iou_predictions (1,1).
    The +0.5 shift and the label -1 padding point are added inside; the dense PE is a constant.
    upscale='matmul' uses the MatMul rewrite of the two ConvTranspose3d, 'convtranspose' the original layers.
    """

    def __init__(self, model: Sam3D, upscale: str = 'matmul') -> None:
        super().__init__()
        if upscale not in ('matmul', 'convtranspose'):
            raise ValueError(f"upscale must be 'matmul' or 'convtranspose', got {upscale!r}")
        self.prompt_encoder = model.prompt_encoder
        self.mask_decoder = model.mask_decoder
        self.upscale = upscale
        with torch.no_grad():
            self.register_buffer('dense_pe', model.prompt_encoder.get_dense_pe().detach().clone())
            self.register_buffer('no_mask_dense', model.prompt_encoder.no_mask_embed.weight.detach().reshape(1, -1, 1, 1, 1).clone())
        self.grid = model.prompt_encoder.image_embedding_size[0]
        self.upscaler = MatMulUpscaler(model.mask_decoder.output_upscaling, self.grid) if upscale == 'matmul' else None

    def forward(
        self,
        image_embeddings: torch.Tensor,
        point_coords: torch.Tensor,
        point_labels: torch.Tensor,
        mask_input: torch.Tensor,
        has_mask_input: torch.Tensor,
    ):
        sparse = self.prompt_encoder.embed_points(point_coords, point_labels, pad=True)
        dense = torch.where(
            has_mask_input.reshape(1, 1, 1, 1, 1) > 0.5, self.prompt_encoder.embed_mask(mask_input), self.no_mask_dense
        )
        queries, keys = self.mask_decoder.run_transformer(image_embeddings, self.dense_pe, sparse, dense)
        iou = self.mask_decoder.iou_prediction_head(queries[:, 0])[:, 0:1].reshape(1, 1)
        hyper = self.mask_decoder.output_hypernetworks_mlps[0](queries[:, 1])  # (1, C/8), mask token 0
        if self.upscaler is not None:
            low = self.upscaler(keys, hyper)
        else:
            g = self.grid
            up = self.mask_decoder.output_upscaling(keys.transpose(1, 2).reshape(1, -1, g, g, g))
            c = up.shape[1]
            low = (hyper.reshape(1, 1, c) @ up.reshape(1, c, -1)).reshape(1, 1, 4 * g, 4 * g, 4 * g)
        return low, iou
