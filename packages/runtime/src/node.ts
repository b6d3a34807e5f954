/** Node-only entry (`@fastsam-xr/runtime/node`): reading model folders from disk, onnxruntime-node. */
export { readModelFolder, nodeOrt, type ModelFolder } from './nodeModel.ts'
export { SHIPPED_MODEL_DIR } from './shippedModel.ts'
