"""fastsam-xr models: FastSAM3D (student) and SAM-Med3D (teacher) in plain PyTorch, checkpoint import and
ONNX export. See ../shared/docs/model-spec.md (the authoritative description of the official code)."""
