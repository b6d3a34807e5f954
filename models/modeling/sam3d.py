"""Sam3D: image encoder + prompt encoder + mask decoder (keys `image_encoder.*`, `prompt_encoder.*`,
`mask_decoder.*`, spec §3). `pixel_mean`/`pixel_std` of the official class are non-persistent and unused in
3D, so they are not modelled."""
from typing import Optional, Tuple

import torch
from torch import nn

from .image_encoder import ImageEncoderViT3D
from .mask_decoder import MaskDecoder3D
from .prompt_encoder import PromptEncoder3D


class Sam3D(nn.Module):
    mask_threshold: float = 0.0

    def __init__(self, image_encoder: ImageEncoderViT3D, prompt_encoder: PromptEncoder3D, mask_decoder: MaskDecoder3D) -> None:
        super().__init__()
        self.image_encoder = image_encoder
        self.prompt_encoder = prompt_encoder
        self.mask_decoder = mask_decoder

    @torch.no_grad()
    def encode(self, image: torch.Tensor) -> torch.Tensor:
        """image (1, 1, 128, 128, 128) z-normalised -> embedding (1, 384, 8, 8, 8)."""
        return self.image_encoder(image)

    def decode_all(
        self,
        embedding: torch.Tensor,
        points: Optional[torch.Tensor] = None,
        labels: Optional[torch.Tensor] = None,
        mask_input: Optional[torch.Tensor] = None,
    ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """The 4 raw masks (1,4,32,32,32) and IoUs (1,4), plus the sparse (1,N+1,384) and dense (1,384,8,8,8)
        prompt embeddings. points (1,N,3) raw crop voxel indices (p0,p1,p2), labels (1,N) 1/0."""
        prompt = (points, labels) if points is not None else None
        sparse, dense = self.prompt_encoder(prompt, mask_input)
        masks, iou = self.mask_decoder.predict_masks(embedding, self.prompt_encoder.get_dense_pe(), sparse, dense)
        return masks, iou, sparse, dense

    @torch.no_grad()
    def decode(
        self,
        embedding: torch.Tensor,
        points: Optional[torch.Tensor] = None,
        labels: Optional[torch.Tensor] = None,
        mask_input: Optional[torch.Tensor] = None,
        multimask_output: bool = False,
    ) -> Tuple[torch.Tensor, torch.Tensor]:
        """-> low-res logits (1,1,32,32,32) and IoU (1,1) (multimask: channels 1..3)."""
        masks, iou, _, _ = self.decode_all(embedding, points, labels, mask_input)
        sl = slice(1, None) if multimask_output else slice(0, 1)
        return masks[:, sl], iou[:, sl]
