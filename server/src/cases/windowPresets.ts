/**
 * Display windows for a volume. CT in HU gets the usual radiology presets; anything else (MR,
 * normalised intensities) gets windows from its own intensity percentiles, since MR values have no
 * fixed scale.
 */
import type { Volume } from '@fastsam-xr/volume'
import type { WindowPreset } from '@fastsam-xr/protocol'

/** A volume counts as CT in HU when it says so, or when air (≈ −1000) is present. */
export function isCtHu(volume: Volume, min: number): boolean {
  const m = volume.meta.modality?.toUpperCase()
  if (m === 'CT') return true
  if (m && m !== 'CT') return false
  return volume.meta.units === 'HU' || min <= -900
}

/** Value at each quantile (0..1) of a ≤ 262 144-voxel strided sample. */
export function sampledQuantiles(data: ArrayLike<number>, qs: number[]): number[] {
  const step = Math.max(1, Math.floor(data.length / 262_144))
  const sample: number[] = []
  for (let q = 0; q < data.length; q += step) sample.push(data[q])
  sample.sort((a, b) => a - b)
  return qs.map((x) => sample[Math.min(sample.length - 1, Math.floor(x * sample.length))] ?? 0)
}

export function windowPresets(volume: Volume, min: number, max: number): WindowPreset[] {
  if (isCtHu(volume, min))
    return [
      { name: 'soft tissue', center: 40, width: 400 },
      { name: 'liver', center: 60, width: 160 },
      { name: 'lung', center: -600, width: 1500 },
      { name: 'bone', center: 400, width: 1800 },
    ]
  const [p1, p50, p99] = sampledQuantiles(volume.data, [0.01, 0.5, 0.99])
  const full = { name: 'full range', center: (min + max) / 2, width: Math.max(max - min, 1e-6) }
  return [
    { name: 'auto (1–99 %)', center: (p1 + p99) / 2, width: Math.max(p99 - p1, 1e-6) },
    { name: 'contrast (median ± ½)', center: p50, width: Math.max((p99 - p1) / 2, 1e-6) },
    full,
  ]
}
