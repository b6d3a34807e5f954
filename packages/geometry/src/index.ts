export { GeometryError, type Affine, type Mat4, type Vec3, type VoxelBox } from './types.ts'
export { applyAffine, determinant3, identity4, invert4, multiply4, spacingFromAffine } from './affine.ts'
export { boxWhere, maskBoundingBox, unionBox } from './boxes.ts'
