/**
 * The scene's triangle budget for standalone headsets: the whole scene stays under TRIANGLE_BUDGET
 * triangles. The isosurface preview takes at most PREVIEW_TRIANGLE_BUDGET; the segments share what the
 * preview leaves, as if there were always at least MIN_SEGMENT_SHARES of them (so a fourth segment does
 * not force the first three to be simplified again until it really exists).
 */
export const TRIANGLE_BUDGET = 300_000
export const PREVIEW_TRIANGLE_BUDGET = 120_000
export const MIN_SEGMENT_SHARES = 3

/**
 * Triangles one visible segment mesh may use.
 * @param visibleSegments segments currently shown (hidden ones cost nothing).
 * @param previewTriangles triangles of the decoded preview (its budget while it is still unknown).
 */
export function segmentTriangleBudget(
  visibleSegments: number,
  previewTriangles: number = PREVIEW_TRIANGLE_BUDGET,
): number {
  const preview = Math.min(Math.max(0, previewTriangles), PREVIEW_TRIANGLE_BUDGET)
  return Math.floor((TRIANGLE_BUDGET - preview) / Math.max(visibleSegments, MIN_SEGMENT_SHARES))
}
