"""3D mask decoder (spec §7): two-way transformer, upscaling, hypernetwork MLPs, IoU head."""
from typing import Tuple, Type

import torch
from torch import nn

from .common import LayerNorm3d, MLP, MLPBlock, scaled_dot_product_attention


class DecoderAttention(nn.Module):
    """Attention with optional internal down-projection (internal dim = embedding_dim / downsample_rate).

    q (B, Nq, E), k (B, Nk, E), v (B, Nk, E) -> (B, Nq, E). Heads split head-major (channel = head*dh + c).
    Keys `q_proj`, `k_proj`, `v_proj`, `out_proj`."""

    def __init__(self, embedding_dim: int, num_heads: int, downsample_rate: int = 1) -> None:
        super().__init__()
        self.internal_dim = embedding_dim // downsample_rate
        if self.internal_dim % num_heads:
            raise ValueError(f'num_heads {num_heads} must divide the internal dim {self.internal_dim}')
        self.num_heads = num_heads
        self.q_proj = nn.Linear(embedding_dim, self.internal_dim)
        self.k_proj = nn.Linear(embedding_dim, self.internal_dim)
        self.v_proj = nn.Linear(embedding_dim, self.internal_dim)
        self.out_proj = nn.Linear(self.internal_dim, embedding_dim)

    def _split(self, x: torch.Tensor) -> torch.Tensor:
        b, n, c = x.shape
        return x.reshape(b, n, self.num_heads, c // self.num_heads).transpose(1, 2)

    def forward(self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        q, k, v = self._split(self.q_proj(q)), self._split(self.k_proj(k)), self._split(self.v_proj(v))
        out = scaled_dot_product_attention(q, k, v, None, q.shape[-1] ** -0.5)
        b, h, n, d = out.shape
        return self.out_proj(out.transpose(1, 2).reshape(b, n, h * d))


class TwoWayAttentionBlock(nn.Module):
    """Self-attention of the tokens, token->image and image->token cross-attention (spec §7.2 step 3)."""

    def __init__(
        self, embedding_dim: int, num_heads: int, mlp_dim: int = 2048, activation: Type[nn.Module] = nn.ReLU,
        attention_downsample_rate: int = 2, skip_first_layer_pe: bool = False,
    ) -> None:
        super().__init__()
        self.self_attn = DecoderAttention(embedding_dim, num_heads)
        self.norm1 = nn.LayerNorm(embedding_dim)
        self.cross_attn_token_to_image = DecoderAttention(embedding_dim, num_heads, attention_downsample_rate)
        self.norm2 = nn.LayerNorm(embedding_dim)
        self.mlp = MLPBlock(embedding_dim, mlp_dim, activation)
        self.norm3 = nn.LayerNorm(embedding_dim)
        self.norm4 = nn.LayerNorm(embedding_dim)
        self.cross_attn_image_to_token = DecoderAttention(embedding_dim, num_heads, attention_downsample_rate)
        self.skip_first_layer_pe = skip_first_layer_pe

    def forward(
        self, queries: torch.Tensor, keys: torch.Tensor, query_pe: torch.Tensor, key_pe: torch.Tensor
    ) -> Tuple[torch.Tensor, torch.Tensor]:
        """queries (B, Nt, E), keys (B, 512, E) -> same shapes."""
        if self.skip_first_layer_pe:
            queries = self.self_attn(queries, queries, queries)
        else:
            q = queries + query_pe
            queries = queries + self.self_attn(q, q, queries)
        queries = self.norm1(queries)
        q, k = queries + query_pe, keys + key_pe
        queries = self.norm2(queries + self.cross_attn_token_to_image(q, k, keys))
        queries = self.norm3(queries + self.mlp(queries))
        q, k = queries + query_pe, keys + key_pe
        keys = self.norm4(keys + self.cross_attn_image_to_token(k, q, queries))
        return queries, keys


class TwoWayTransformer3D(nn.Module):
    """depth two-way blocks + a final token->image attention. LayerNorms use eps 1e-5 (torch default)."""

    def __init__(
        self, depth: int = 2, embedding_dim: int = 384, num_heads: int = 8, mlp_dim: int = 2048,
        activation: Type[nn.Module] = nn.ReLU, attention_downsample_rate: int = 2,
    ) -> None:
        super().__init__()
        self.layers = nn.ModuleList(
            TwoWayAttentionBlock(embedding_dim, num_heads, mlp_dim, activation, attention_downsample_rate, skip_first_layer_pe=i == 0)
            for i in range(depth)
        )
        self.final_attn_token_to_image = DecoderAttention(embedding_dim, num_heads, attention_downsample_rate)
        self.norm_final_attn = nn.LayerNorm(embedding_dim)

    def forward(
        self, image_embedding: torch.Tensor, image_pe: torch.Tensor, point_embedding: torch.Tensor
    ) -> Tuple[torch.Tensor, torch.Tensor]:
        """image_embedding, image_pe (B, E, G, G, G); point_embedding (B, Nt, E)
        -> queries (B, Nt, E), keys (B, G^3, E) (C-order over the token grid)."""
        keys = image_embedding.flatten(2).permute(0, 2, 1)
        key_pe = image_pe.flatten(2).permute(0, 2, 1)
        queries = point_embedding
        for layer in self.layers:
            queries, keys = layer(queries, keys, point_embedding, key_pe)
        q, k = queries + point_embedding, keys + key_pe
        queries = self.norm_final_attn(queries + self.final_attn_token_to_image(q, k, keys))
        return queries, keys


class MaskDecoder3D(nn.Module):
    """(embedding, dense PE, sparse, dense prompts) -> 4 mask logits (B,4,32,32,32) and 4 IoU scores (B,4).
    Key names as spec §7.1."""

    def __init__(
        self, transformer_dim: int = 384, num_multimask_outputs: int = 3, iou_head_depth: int = 3,
        iou_head_hidden_dim: int = 256, transformer_depth: int = 2, transformer_heads: int = 8,
        transformer_mlp_dim: int = 2048,
    ) -> None:
        super().__init__()
        self.transformer_dim = transformer_dim
        self.transformer = TwoWayTransformer3D(transformer_depth, transformer_dim, transformer_heads, transformer_mlp_dim)
        self.num_mask_tokens = num_multimask_outputs + 1
        self.iou_token = nn.Embedding(1, transformer_dim)
        self.mask_tokens = nn.Embedding(self.num_mask_tokens, transformer_dim)
        self.output_upscaling = nn.Sequential(
            nn.ConvTranspose3d(transformer_dim, transformer_dim // 4, kernel_size=2, stride=2),
            LayerNorm3d(transformer_dim // 4),
            nn.GELU(),
            nn.ConvTranspose3d(transformer_dim // 4, transformer_dim // 8, kernel_size=2, stride=2),
            nn.GELU(),
        )
        self.output_hypernetworks_mlps = nn.ModuleList(
            MLP(transformer_dim, transformer_dim, transformer_dim // 8, 3) for _ in range(self.num_mask_tokens)
        )
        self.iou_prediction_head = MLP(transformer_dim, iou_head_hidden_dim, self.num_mask_tokens, iou_head_depth)

    def run_transformer(
        self, image_embeddings: torch.Tensor, image_pe: torch.Tensor, sparse: torch.Tensor, dense: torch.Tensor
    ) -> Tuple[torch.Tensor, torch.Tensor]:
        """-> queries (B, 5+N+1, E), keys (B, G^3, E). Batch B = 1 for the embedding (no repeat needed)."""
        output_tokens = torch.cat([self.iou_token.weight, self.mask_tokens.weight], dim=0)
        output_tokens = output_tokens.unsqueeze(0).expand(sparse.shape[0], -1, -1)
        tokens = torch.cat([output_tokens, sparse], dim=1)
        if image_embeddings.shape[0] != tokens.shape[0]:
            image_embeddings = torch.repeat_interleave(image_embeddings, tokens.shape[0], dim=0)
        src = image_embeddings + dense
        pos = torch.repeat_interleave(image_pe, tokens.shape[0], dim=0) if image_pe.shape[0] != tokens.shape[0] else image_pe
        return self.transformer(src, pos, tokens)

    def predict_masks(
        self, image_embeddings: torch.Tensor, image_pe: torch.Tensor, sparse: torch.Tensor, dense: torch.Tensor
    ) -> Tuple[torch.Tensor, torch.Tensor]:
        """-> masks (B, 4, 4G, 4G, 4G) raw logits, iou (B, 4) (no sigmoid)."""
        queries, keys = self.run_transformer(image_embeddings, image_pe, sparse, dense)
        iou_token_out = queries[:, 0]
        mask_tokens_out = queries[:, 1:1 + self.num_mask_tokens]
        b, n, c = keys.shape
        g = round(n ** (1 / 3))
        upscaled = self.output_upscaling(keys.transpose(1, 2).reshape(b, c, g, g, g))
        hyper = torch.stack([mlp(mask_tokens_out[:, i]) for i, mlp in enumerate(self.output_hypernetworks_mlps)], dim=1)
        b, c, d, h, w = upscaled.shape
        masks = (hyper @ upscaled.reshape(b, c, d * h * w)).reshape(b, -1, d, h, w)
        return masks, self.iou_prediction_head(iou_token_out)

    def forward(
        self, image_embeddings: torch.Tensor, image_pe: torch.Tensor, sparse_prompt_embeddings: torch.Tensor,
        dense_prompt_embeddings: torch.Tensor, multimask_output: bool = False,
    ) -> Tuple[torch.Tensor, torch.Tensor]:
        """multimask False -> masks (B,1,32,32,32), iou (B,1) (channel 0, the eval path); True -> channels 1..3."""
        masks, iou = self.predict_masks(image_embeddings, image_pe, sparse_prompt_embeddings, dense_prompt_embeddings)
        sl = slice(1, None) if multimask_output else slice(0, 1)
        return masks[:, sl], iou[:, sl]
