/** Soft, even light that reads shape on semi-transparent surfaces without hard shadows (none are cast). */
export function Lights() {
  return (
    <>
      <hemisphereLight args={['#ffffff', '#4a4f5a', 1.4]} />
      <directionalLight position={[0.6, 3, 2]} intensity={1.6} />
      <directionalLight position={[-1.5, 1, -2]} intensity={0.5} />
    </>
  )
}
