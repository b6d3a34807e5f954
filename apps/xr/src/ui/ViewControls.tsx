/**
 * View settings: the bone preview (on/off, opacity), the slice planes (on/off, one slider per plane,
 * named from the grid's orientation), window/level presets of the case, and real-size display.
 */
import { setView, useAppStore } from '../state/store.ts'
import { CollapsiblePanel } from './CollapsiblePanel.tsx'
import { resetDesktopView } from './resetView.ts'
import { sliceAxes } from './sliceAxes.ts'

export function ViewControls() {
  const view = useAppStore((s) => s.view)
  const room = useAppStore((s) => s.room)
  const hasPreview = useAppStore((s) => s.room?.preview != null)
  if (!room) return null
  const axes = sliceAxes(room.slices.affine)
  const presets = room.caseInfo.windowPresets

  const moveSlice = (gridAxis: 0 | 1 | 2, fraction: number) => {
    const slicePosition = [...view.slicePosition] as [number, number, number]
    slicePosition[gridAxis] = fraction
    setView({ slicePosition })
  }

  return (
    <CollapsiblePanel id="view-controls" title="View" className="view-controls">
      <div className="control-row">
        <label title={hasPreview ? 'the isosurface of the whole volume' : 'this case has no preview'}>
          <input
            id="preview-visible"
            type="checkbox"
            disabled={!hasPreview}
            checked={view.previewVisible}
            onChange={(e) => setView({ previewVisible: e.target.checked })}
          />
          {room.caseInfo.modality === 'CT' ? 'bone' : 'surface'}
        </label>
        <input
          id="preview-opacity"
          type="range"
          min={0.05}
          max={1}
          step={0.05}
          aria-label="preview opacity"
          title={`opacity ${Math.round(view.previewOpacity * 100)} %`}
          disabled={!hasPreview || !view.previewVisible}
          value={view.previewOpacity}
          onChange={(e) => setView({ previewOpacity: Number(e.target.value) })}
        />
      </div>
      <div className="control-row">
        <label>
          <input
            id="slices-visible"
            type="checkbox"
            checked={view.slicesVisible}
            onChange={(e) => setView({ slicesVisible: e.target.checked })}
          />
          slices
        </label>
        <label title="show the case at its real size (1 mm = 1 mm)">
          <input
            id="real-size"
            type="checkbox"
            checked={view.realSize}
            onChange={(e) => setView({ realSize: e.target.checked })}
          />
          real size
        </label>
        <button
          id="reset-view"
          type="button"
          className="small"
          title="case and camera back to where they started"
          onClick={resetDesktopView}
        >
          reset view
        </button>
      </div>
      {axes.map(({ plane, gridAxis, ends }) => {
        const size = room.slices.dims[gridAxis]
        const fraction = view.slicePosition[gridAxis]
        return (
          <div className="slice-slider" key={plane}>
            <label htmlFor={`slice-${plane}`}>{plane}</label>
            <span className="end">{ends[0]}</span>
            <input
              id={`slice-${plane}`}
              type="range"
              min={0}
              max={1}
              step={size > 1 ? 1 / (size - 1) : 1}
              disabled={!view.slicesVisible}
              value={fraction}
              onChange={(e) => moveSlice(gridAxis, Number(e.target.value))}
            />
            <span className="end">{ends[1]}</span>
          </div>
        )
      })}
      {presets.length > 0 && (
        <div className="presets" role="group" aria-label="window / level">
          {presets.map((preset) => {
            const current = preset.center === view.window.center && preset.width === view.window.width
            return (
              <button
                key={preset.name}
                type="button"
                className={current ? 'current' : undefined}
                aria-pressed={current}
                title={`W ${preset.width} / L ${preset.center}`}
                onClick={() => setView({ window: preset })}
              >
                {preset.name}
              </button>
            )
          })}
        </div>
      )}
    </CollapsiblePanel>
  )
}
