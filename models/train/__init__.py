"""Training, distillation and evaluation of the project's own FastSAM3D-family weights."""
