"""ONNX export of a Sam3D (kept apart from the modeling code, like segment-anything's utils/onnx.py)."""
