import { affineRows, minMax, readVolume, spacingFromAffine, axisCodes } from '@fastsam-xr/volume'
import { UsageError, type Command } from '../command.ts'

/** Numbers for people: 9 significant digits (JSON keeps every digit). */
const tidy = (x: number) => Number(x.toPrecision(9))

export const info: Command = {
  name: 'info',
  summary: 'shape, spacing, voxel→RAS affine, dtype, min/max and modality of a NIfTI file or DICOM folder',
  usage: 'fastsam-xr info <file.nii[.gz] | dicom-folder | file.dcm> [--json]',
  async run(argv) {
    const json = argv.includes('--json')
    const paths = argv.filter((a) => a !== '--json')
    const unknown = paths.filter((a) => a.startsWith('-'))
    if (unknown.length) throw new UsageError(`unknown option ${unknown[0]}`)
    if (paths.length !== 1) throw new UsageError(`expected one file or folder (usage: ${this.usage})`)
    const v = await readVolume(paths[0])
    const { min, max } = minMax(v.data)
    const report = {
      shape: v.dims,
      spacing: spacingFromAffine(v.affine),
      affine: affineRows(v.affine),
      dtype: v.dtype,
      min,
      max,
      modality: v.meta.modality ?? null,
      orientation: axisCodes(v.affine),
      source: v.meta.description ?? null,
    }
    if (json) {
      process.stdout.write(JSON.stringify(report) + '\n')
      return 0
    }
    const lines = [
      `shape        ${report.shape.join(' × ')}`,
      `spacing      ${report.spacing.map(tidy).join(' × ')} mm`,
      `orientation  ${report.orientation} (voxel axes → world)`,
      `dtype        ${report.dtype}`,
      `min / max    ${min} / ${max}${v.meta.units ? ` ${v.meta.units}` : ''}`,
      `modality     ${report.modality ?? '(not stated)'}`,
      `format       ${report.source ?? ''}`,
      'affine (voxel i,j,k → world RAS mm, row-major):',
      ...report.affine.map((r) => '  ' + r.map((x) => String(tidy(x)).padStart(14)).join(' ')),
    ]
    process.stdout.write(lines.join('\n') + '\n')
    return 0
  },
}
