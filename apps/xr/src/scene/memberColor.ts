/**
 * A participant's colour, the same on every page (derived from the clientId): their avatar, beam and
 * the halo around the prompts they placed share it, so everyone sees who placed which prompt.
 */
import { Color } from 'three'

export function memberColor(clientId: string, target = new Color()): Color {
  let h = 0
  for (let i = 0; i < clientId.length; i++) h = (h * 31 + clientId.charCodeAt(i)) >>> 0
  return target.setHSL((h % 360) / 360, 0.7, 0.55)
}
