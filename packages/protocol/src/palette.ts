/**
 * Segment colours: a fixed palette of clearly distinct colours (Trubetskoy's "20 distinct colours",
 * the ones readable on a dark scene and against bone), handed out in order, skipping those in use.
 */
export const SEGMENT_PALETTE = [
  '#e6194b',
  '#3cb44b',
  '#4363d8',
  '#f58231',
  '#911eb4',
  '#42d4f4',
  '#f032e6',
  '#bfef45',
  '#fabed4',
  '#469990',
  '#dcbeff',
  '#9a6324',
  '#fffac8',
  '#800000',
  '#aaffc3',
  '#808000',
] as const
