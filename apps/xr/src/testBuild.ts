/**
 * Whether this bundle is the test build (`vite build --mode test` → apps/xr/dist-test, which the browser
 * tests and the client benchmark load): only it installs the page hooks (`window.__fsx`, `window.__fsxXr`)
 * and keeps the drawing buffer for pixel reads. Vite replaces `import.meta.env.MODE` by a literal, so the
 * production bundle (apps/xr/dist, what `npm start` serves) has neither: preserveDrawingBuffer costs frame
 * time on the tiled GPUs of headsets.
 */
export const TEST_BUILD: boolean = import.meta.env.MODE === 'test'
