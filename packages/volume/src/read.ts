/**
 * `readVolume(path)`: a NIfTI file (.nii / .nii.gz, recognised by content, not by name), a DICOM file,
 * or a folder of DICOM files.
 */
import { open, readFile, stat } from 'node:fs/promises'
import { basename } from 'node:path'
import { VolumeError } from './errors.ts'
import { readDicomSeries } from './dicomSeries.ts'
import { isGzip } from './gzip.ts'
import { decodeNifti } from './nifti.ts'
import { looksLikeNifti } from './niftiHeader.ts'
import { voxelBudget, type ReadOptions } from './options.ts'
import type { Volume } from './volume.ts'

function isDicomPart10(head: Uint8Array): boolean {
  return (
    head.length >= 132 && head[128] === 0x44 && head[129] === 0x49 && head[130] === 0x43 && head[131] === 0x4d
  )
}

export async function readVolume(pathOrDir: string, opts?: ReadOptions): Promise<Volume> {
  const info = await stat(pathOrDir).catch(() => null)
  if (!info) throw new VolumeError('NOT_FOUND', `no such file or folder: ${pathOrDir}`)
  if (info.isDirectory()) return readDicomSeries(pathOrDir, opts)
  // Sniff the first bytes before reading a possibly huge file whole.
  const fh = await open(pathOrDir, 'r')
  const head = new Uint8Array(132)
  let got: number
  try {
    got = (await fh.read(head, 0, 132, 0)).bytesRead
  } finally {
    await fh.close()
  }
  const start = head.subarray(0, got)
  if (isDicomPart10(start)) return readDicomSeries([pathOrDir], opts)
  if (isGzip(start) || looksLikeNifti(start)) {
    // An uncompressed file larger than the budget could hold is refused by the header check anyway;
    // refuse absurd sizes before reading them into memory.
    const limit = voxelBudget(opts) * 8 + (64 << 20)
    if (!isGzip(start) && info.size > limit)
      throw new VolumeError(
        'VOXEL_BUDGET',
        `${basename(pathOrDir)} is ${info.size} bytes, more than the voxel budget allows`,
      )
    return decodeNifti(await readFile(pathOrDir), opts, basename(pathOrDir), true)
  }
  throw new VolumeError(
    'BAD_MAGIC',
    `${basename(pathOrDir)}: neither NIfTI (.nii/.nii.gz) nor DICOM (no 'DICM' at byte 128); give a DICOM folder for a series`,
  )
}
