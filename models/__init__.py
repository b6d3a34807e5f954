"""fastsam-xr models: FastSAM3D (student) and SAM-Med3D (teacher) in plain PyTorch, checkpoint import and
ONNX export. See models/SPEC.md (the authoritative description of the official code; "spec §N" in comments)."""
