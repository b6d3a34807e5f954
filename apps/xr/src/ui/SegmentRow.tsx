/**
 * One `.segment-row[data-segment-id]`: colour swatch, name (double-click to rename, Enter saves, Escape
 * cancels), volume, IoU, visibility, delete (two-step, inline: a browser confirm() would block the
 * render loop and be dismissed silently in automated browsers), and the crop-border hint.
 */
import { useEffect, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react'
import { LIMITS } from '@fastsam-xr/protocol/limits'
import { deleteSegment, selectSegment, updateSegment } from '../controller/actions.ts'
import type { SegmentView } from '../state/store.ts'
import { formatIou, formatMl, toColorInputValue } from './format.ts'

interface Props {
  segment: SegmentView
  active: boolean
}

/** Clicks on the row's own controls must not also select the row. */
const stop = (e: MouseEvent) => e.stopPropagation()

export function SegmentRow({ segment, active }: Props) {
  const { info } = segment
  const [editing, setEditing] = useState(false)
  const [draft, setDraft] = useState(info.name)
  const [confirmingDelete, setConfirmingDelete] = useState(false)
  const positives = segment.prompts.filter((p) => p.positive).length
  const negatives = segment.prompts.length - positives
  const pending = segment.pendingSeqs.length > 0
  const rowRef = useRef<HTMLLIElement>(null)
  // a segment made active elsewhere (N, a click in the scene, another member) scrolls into view
  useEffect(() => {
    if (active) rowRef.current?.scrollIntoView({ block: 'nearest' })
  }, [active])

  const startRename = () => {
    setDraft(info.name)
    setEditing(true)
  }
  const saveName = () => {
    const name = draft.trim()
    setEditing(false)
    if (name && name !== info.name) updateSegment(info.segmentId, { name })
  }
  const onNameKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') saveName()
    else if (e.key === 'Escape') setEditing(false)
  }

  return (
    <li
      ref={rowRef}
      className={`segment-row${active ? ' active' : ''}${info.visible ? '' : ' hidden-segment'}`}
      data-segment-id={info.segmentId}
      aria-selected={active}
      onClick={() => selectSegment(info.segmentId)}
    >
      <div className="segment-main">
        <input
          type="color"
          className="swatch"
          aria-label={`colour of ${info.name}`}
          value={toColorInputValue(info.color)}
          onClick={stop}
          onChange={(e) => updateSegment(info.segmentId, { color: e.target.value })}
        />
        {editing ? (
          <input
            className="segment-name-input"
            aria-label="segment name"
            autoFocus
            maxLength={LIMITS.nameLength}
            value={draft}
            onClick={stop}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={onNameKey}
            onBlur={saveName}
          />
        ) : (
          <span
            className="segment-name"
            title={`${info.name}: double-click to rename`}
            onDoubleClick={startRename}
          >
            {info.name}
          </span>
        )}
        {pending && <span className="spinner small" title="segmenting…" aria-label="segmenting" />}
        <span className="segment-volume" title={`${segment.voxels.toLocaleString()} voxels`}>
          {formatMl(segment.volumeMl)}
        </span>
        <button
          type="button"
          className={`icon eye${info.visible ? '' : ' off'}`}
          title={info.visible ? 'hide' : 'show'}
          aria-label={info.visible ? `hide ${info.name}` : `show ${info.name}`}
          aria-pressed={info.visible}
          onClick={(e) => {
            stop(e)
            updateSegment(info.segmentId, { visible: !info.visible })
          }}
        >
          {info.visible ? '◉' : '○'}
        </button>
        <button
          type="button"
          className="icon delete"
          title="delete segment"
          aria-label={`delete ${info.name}`}
          aria-expanded={confirmingDelete}
          onClick={(e) => {
            stop(e)
            setConfirmingDelete((c) => !c)
          }}
        >
          ✕
        </button>
      </div>
      {confirmingDelete && (
        <div className="confirm-delete" onClick={stop}>
          <span>delete this segment for everyone?</span>
          <button
            type="button"
            className="danger"
            onClick={() => {
              setConfirmingDelete(false)
              deleteSegment(info.segmentId)
            }}
          >
            delete
          </button>
          <button type="button" onClick={() => setConfirmingDelete(false)}>
            keep
          </button>
        </div>
      )}
      <div className="segment-details">
        <span title="included / excluded points">
          {segment.prompts.length === 0 ? 'no points yet' : `+${positives} −${negatives} points`}
        </span>
        {segment.iou !== null && (
          <span title={`the model's predicted IoU (${segment.iou.toFixed(3)})`}>
            {formatIou(segment.iou)}
          </span>
        )}
      </div>
      {segment.touchesCropBorder && (
        <div className="segment-note">reaches the crop border: click beyond it to extend</div>
      )}
    </li>
  )
}
