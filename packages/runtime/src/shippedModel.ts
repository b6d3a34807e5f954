import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The model folder the project ships (trained by this project, see its MODEL_CARD.md): the default of
 * `fastsam-xr start`, `serve`, `segment` and `eval` when no `--model` is given. The earlier default,
 * `models/weights/fastsam3d-xr-small` (the FastSAM3D form), stays loadable with `--model`.
 */
export const SHIPPED_MODEL_DIR = join(
  resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..'),
  'models',
  'weights',
  'fastsam-xr-unet',
)
