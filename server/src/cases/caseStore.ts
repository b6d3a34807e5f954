/**
 * The cases a server can open and their derived data. A case is read once and shared by every room
 * that opens it (so the encoder cache, keyed by the Volume object, is shared too): the volume, its
 * metadata for the client (dims, affine, window presets), the isosurface preview and the slice volume.
 *
 * Sources: the built-in demo CT (`demo`), files/folders in `<data>/cases/` (NIfTI files, DICOM
 * folders), and uploads (registered by the upload store, visible only to the uploader).
 */
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { minMax, readVolume, spacingFromAffine, type Volume } from '@fastsam-xr/volume'
import type { CaseInfo, CaseSummary, PreviewMesh, SliceVolume } from '@fastsam-xr/protocol'
import { ProtocolFailure } from '../failure.ts'
import { previewMesh } from './preview.ts'
import { sliceVolume } from './slices.ts'
import { windowPresets } from './windowPresets.ts'

export interface LoadedCase {
  info: CaseInfo
  volume: Volume
  preview: PreviewMesh | null
  slices: SliceVolume
  /** milliseconds spent reading and deriving. */
  loadMs: number
}

interface CaseSource {
  summary: CaseSummary
  /** a file/folder to read, or an already-read volume (uploads). */
  path?: string
  volume?: Volume
  /** uploads: the connection that may see it. */
  owner?: string
}

/** A file name → an id: letters, digits, _ and - only. */
export function caseIdFromName(name: string): string {
  const stem = name.replace(/\.nii(\.gz)?$/i, '')
  return ('data-' + stem.replace(/[^A-Za-z0-9_-]+/g, '-')).slice(0, 64)
}

export class CaseStore {
  private readonly uploads = new Map<string, CaseSource>()
  private readonly loaded = new Map<string, Promise<LoadedCase>>()

  constructor(
    private readonly demoPath: string,
    private readonly casesDir: string,
    private readonly maxVoxels: number,
  ) {}

  private async dataSources(): Promise<CaseSource[]> {
    if (!existsSync(this.casesDir)) return []
    const entries = await readdir(this.casesDir, { withFileTypes: true })
    return entries
      .filter((e) => e.isDirectory() || /\.nii(\.gz)?$/i.test(e.name))
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((e) => ({
        summary: { caseId: caseIdFromName(e.name), label: e.name, kind: 'data' as const },
        path: join(this.casesDir, e.name),
      }))
  }

  private async sources(viewer?: string): Promise<CaseSource[]> {
    const demo: CaseSource[] = existsSync(this.demoPath)
      ? [
          {
            summary: { caseId: 'demo', label: 'Demo CT (TotalSegmentator example)', kind: 'demo' },
            path: this.demoPath,
          },
        ]
      : []
    const uploads = [...this.uploads.values()].filter((u) => u.owner === viewer)
    return [...demo, ...(await this.dataSources()), ...uploads]
  }

  async list(viewer?: string): Promise<CaseSummary[]> {
    return (await this.sources(viewer)).map((s) => s.summary)
  }

  /** Registers an uploaded volume; only `owner` lists it (anyone with the unguessable id may open it). */
  registerUpload(volume: Volume, owner: string): CaseSummary {
    const caseId = `upload-${randomBytes(12).toString('base64url')}`
    const summary: CaseSummary = { caseId, label: `upload ${this.uploads.size + 1}`, kind: 'upload' }
    this.uploads.set(caseId, { summary, volume, owner })
    return summary
  }

  /** The loaded case (read and derived once, shared by every room). */
  open(caseId: string): Promise<LoadedCase> {
    let p = this.loaded.get(caseId)
    if (!p) {
      p = this.load(caseId)
      this.loaded.set(caseId, p)
      // A failed load is not cached: the file may be fixed.
      p.catch(() => this.loaded.delete(caseId))
    }
    return p
  }

  /**
   * Forgets loaded cases no room uses (they are read again when opened). An upload no room uses is
   * forgotten once its uploader's connection (`connected`, by client id) is gone too: nobody can list it
   * any more and no room holds it, so its volume and derived data leave memory for good.
   */
  releaseExcept(inUse: Set<string>, connected: Set<string>): number {
    let released = 0
    for (const [caseId, upload] of [...this.uploads])
      if (!inUse.has(caseId) && !connected.has(upload.owner!)) {
        this.uploads.delete(caseId)
        this.loaded.delete(caseId)
        released++
      }
    for (const caseId of [...this.loaded.keys()])
      if (!inUse.has(caseId) && !this.uploads.has(caseId)) {
        this.loaded.delete(caseId)
        released++
      }
    return released
  }

  /** Uploaded cases held in memory (for tests and health). */
  get uploadCount(): number {
    return this.uploads.size
  }

  private async load(caseId: string): Promise<LoadedCase> {
    const t0 = performance.now()
    const source = this.uploads.get(caseId) ?? (await this.sources()).find((s) => s.summary.caseId === caseId)
    if (!source) throw new ProtocolFailure('not-found', `no case '${caseId}'`)
    const volume =
      source.volume ?? (await readVolume(source.path!, { maxVoxels: this.maxVoxels, nonFinite: 'zero' }))
    return derive(source.summary, volume, t0)
  }
}

async function derive(summary: CaseSummary, volume: Volume, t0: number): Promise<LoadedCase> {
  const { min, max } = minMax(volume.data)
  const info: CaseInfo = {
    ...summary,
    dims: [...volume.dims],
    affine: Array.from(volume.affine),
    spacingMm: spacingFromAffine(volume.affine),
    modality: volume.meta.modality ?? (min <= -900 ? 'CT' : 'unknown'),
    valueRange: [min, max],
    windowPresets: windowPresets(volume, min, max),
  }
  const preview = await previewMesh(volume, min, max)
  const slices = sliceVolume(volume, min, max)
  return { info, volume, preview, slices, loadMs: performance.now() - t0 }
}
