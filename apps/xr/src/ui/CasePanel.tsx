/**
 * The case's links: the room link to share (#share-link, an <a> whose href and text are the link, with a
 * copy button), the exports of the current segments, and the upload of another volume (NIfTI or a
 * DICOM zip) with its progress from store.loading.
 */
import { useRef, useState } from 'react'
import { exportUrl, shareUrl, uploadVolume } from '../controller/actions.ts'
import { useAppStore } from '../state/store.ts'

/** NIfTI volumes or a zipped DICOM series; uploadVolume refuses anything else with a message. */
const UPLOAD_ACCEPT = '.nii,.nii.gz,.zip'

const EXPORTS = [
  { format: 'labels.nii.gz', label: 'labels .nii.gz', title: 'label map (one label per segment), NIfTI' },
  { format: 'segments.stl', label: '.stl', title: 'segment surfaces, STL (mm)' },
  { format: 'segments.glb', label: '.glb', title: 'segment surfaces in their colours, glTF binary' },
] as const

async function copyText(text: string, fallbackTarget: HTMLElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text)
    return true
  } catch {
    // no clipboard permission (plain HTTP on the LAN): select the link so Ctrl+C copies it
    const selection = window.getSelection()
    if (fallbackTarget && selection) {
      selection.selectAllChildren(fallbackTarget)
      return document.execCommand('copy')
    }
    return false
  }
}

export function CasePanel() {
  const room = useAppStore((s) => s.room)
  const hasSegments = useAppStore((s) => s.segmentOrder.length > 0)
  const loading = useAppStore((s) => s.loading)
  const linkRef = useRef<HTMLAnchorElement>(null)
  const fileRef = useRef<HTMLInputElement>(null)
  const [copied, setCopied] = useState(false)
  const [uploading, setUploading] = useState(false)
  // read on every render: the link follows the room in the store
  const link = room ? shareUrl() : null

  const onCopy = async () => {
    if (!link) return
    const ok = await copyText(link, linkRef.current)
    setCopied(ok)
    if (ok) window.setTimeout(() => setCopied(false), 1500)
  }

  const onFile = async (file: File | undefined) => {
    if (!file) return
    setUploading(true)
    // never rejects: a refusal (with the server's reason) lands in store.messages
    await uploadVolume(file)
    setUploading(false)
    if (fileRef.current) fileRef.current.value = ''
  }

  return (
    <section id="case-panel" className="panel case-panel" aria-label="case">
      <h2>Share &amp; export</h2>
      <div className="share">
        {link ? (
          <a
            id="share-link"
            ref={linkRef}
            href={link}
            target="_blank"
            rel="noreferrer"
            title="open this room in another tab or device"
          >
            {link}
          </a>
        ) : (
          <span id="share-link" className="muted">
            no room yet
          </span>
        )}
        <button id="copy-share-link" type="button" disabled={!link} onClick={() => void onCopy()}>
          {copied ? 'copied' : 'copy'}
        </button>
      </div>
      <div className="exports">
        {EXPORTS.map(({ format, label, title }) => {
          const href = room && hasSegments ? exportUrl(format) : null
          return href ? (
            <a key={format} className="export-link" data-format={format} href={href} download title={title}>
              {label}
            </a>
          ) : (
            <span
              key={format}
              className="export-link disabled"
              data-format={format}
              title="no segments to export yet"
            >
              {label}
            </span>
          )
        })}
      </div>
      <div className="upload">
        <label className={`button${uploading ? ' disabled' : ''}`}>
          open a volume…
          <input
            id="upload"
            ref={fileRef}
            type="file"
            accept={UPLOAD_ACCEPT}
            disabled={uploading}
            onChange={(e) => void onFile(e.target.files?.[0])}
          />
        </label>
        {uploading && loading && (
          <span className="upload-progress">
            {loading.progress !== null ? (
              <progress max={1} value={loading.progress} />
            ) : (
              <span className="spinner small" />
            )}
            {loading.label}
          </span>
        )}
      </div>
    </section>
  )
}
