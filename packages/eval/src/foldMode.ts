/**
 * Which loop turns the simulated clicks into predictions: 'crop' is the paper's (one crop, the decoder's
 * logits, the 0.5-logit click quirk), 'session' is the server's fold that the headset gets (evaluate.ts).
 */
export type FoldMode = 'crop' | 'session'
export const FOLD_MODES: readonly FoldMode[] = ['crop', 'session']
