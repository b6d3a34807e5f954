/**
 * A minimal PNG decoder (8-bit greyscale, RGB, grey+alpha or RGBA, non-interlaced: what Chromium's
 * screenshots are) so the tests can count pixels of a screenshot without another dependency.
 */
import { inflateSync } from 'node:zlib'

export interface Image {
  width: number
  height: number
  /** RGBA, 4 bytes per pixel, rows top to bottom. */
  rgba: Uint8Array
}

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10]
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 }

export function decodePng(png: Uint8Array): Image {
  if (!SIGNATURE.every((b, i) => png[i] === b)) throw new Error('not a PNG')
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength)
  let width = 0
  let height = 0
  let colorType = -1
  const idat: Uint8Array[] = []
  for (let at = 8; at < png.length;) {
    const length = view.getUint32(at)
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8))
    const data = png.subarray(at + 8, at + 8 + length)
    if (type === 'IHDR') {
      width = view.getUint32(at + 8)
      height = view.getUint32(at + 12)
      const bitDepth = data[8]
      colorType = data[9]
      if (bitDepth !== 8 || data[12] !== 0 || CHANNELS[colorType] === undefined)
        throw new Error(
          `unsupported PNG (bit depth ${bitDepth}, colour type ${colorType}, interlace ${data[12]})`,
        )
    } else if (type === 'IDAT') idat.push(data)
    else if (type === 'IEND') break
    at += 12 + length
  }
  const channels = CHANNELS[colorType]
  const raw = inflateSync(Buffer.concat(idat))
  const stride = width * channels
  const pixels = new Uint8Array(stride * height)
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1))
    const out = pixels.subarray(y * stride, (y + 1) * stride)
    const prev = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : new Uint8Array(stride)
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? out[x - channels] : 0
      const b = prev[x]
      const c = x >= channels ? prev[x - channels] : 0
      let v = line[x]
      if (filter === 1) v += a
      else if (filter === 2) v += b
      else if (filter === 3) v += (a + b) >> 1
      else if (filter === 4) {
        const p = a + b - c
        const pa = Math.abs(p - a)
        const pb = Math.abs(p - b)
        const pc = Math.abs(p - c)
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c
      } else if (filter !== 0) throw new Error(`bad PNG filter ${filter}`)
      out[x] = v & 255
    }
  }
  const rgba = new Uint8Array(width * height * 4)
  for (let p = 0; p < width * height; p++) {
    const s = p * channels
    const grey = channels <= 2
    rgba[p * 4] = pixels[s]
    rgba[p * 4 + 1] = grey ? pixels[s] : pixels[s + 1]
    rgba[p * 4 + 2] = grey ? pixels[s] : pixels[s + 2]
    rgba[p * 4 + 3] = channels === 4 ? pixels[s + 3] : channels === 2 ? pixels[s + 1] : 255
  }
  return { width, height, rgba }
}

/** '#rrggbb' → [r, g, b]. */
export function parseHexColor(hex: string): [number, number, number] {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex.trim())
  if (!m) throw new Error(`not a #rrggbb colour: ${hex}`)
  const n = parseInt(m[1], 16)
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255]
}

/**
 * Pixels where `after` moved towards `color` compared with `before` (same size), e.g. where a
 * semi-transparent mesh of that colour was drawn over the same view. `minGain` is in RGB distance.
 */
export function pixelsTowards(
  before: Image,
  after: Image,
  color: [number, number, number],
  /** only pixels inside [x0, y0, x1, y1] (inclusive); the whole image by default. */
  region: [number, number, number, number] = [0, 0, after.width - 1, after.height - 1],
  minGain = 24,
): { count: number; box: [number, number, number, number] | null } {
  if (before.width !== after.width || before.height !== after.height) throw new Error('image sizes differ')
  let count = 0
  let box: [number, number, number, number] | null = null
  const dist = (img: Image, p: number): number =>
    Math.hypot(img.rgba[p] - color[0], img.rgba[p + 1] - color[1], img.rgba[p + 2] - color[2])
  const [rx0, ry0, rx1, ry1] = region.map(Math.round)
  for (let y = Math.max(0, ry0); y <= Math.min(after.height - 1, ry1); y++)
    for (let x = Math.max(0, rx0); x <= Math.min(after.width - 1, rx1); x++) {
      const p = (y * after.width + x) * 4
      if (dist(before, p) - dist(after, p) < minGain) continue
      count++
      box = box
        ? [Math.min(box[0], x), Math.min(box[1], y), Math.max(box[2], x), Math.max(box[3], y)]
        : [x, y, x, y]
    }
  return { count, box }
}
