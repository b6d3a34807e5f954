// vtk.js ships no typings for this filter; the benchmark only uses this much of it.
declare module '@kitware/vtk.js/Filters/General/ImageMarchingCubes.js' {
  interface PolyDataLike {
    getPolys(): { getNumberOfCells(): number }
    getPoints(): { getNumberOfPoints(): number }
  }
  const vtkImageMarchingCubes: {
    newInstance(init: { contourValue: number; computeNormals: boolean; mergePoints: boolean }): {
      setInputData(data: unknown): void
      getOutputData(): PolyDataLike
    }
  }
  export default vtkImageMarchingCubes
}
