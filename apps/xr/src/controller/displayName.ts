/**
 * The name the other participants see: the kind of device ('Quest 3', 'Vision Pro', 'HoloLens 2',
 * 'Desktop') and a short tag that stays the same for this tab across reloads ('Desktop 3f2a').
 */
export function deviceKind(userAgent: string, maxTouchPoints = 0): string {
  const quest = /Quest ?(3S?|Pro|2)?/.exec(userAgent)
  if (quest) return quest[1] ? `Quest ${quest[1]}` : 'Quest'
  if (/OculusBrowser/.test(userAgent)) return 'Quest'
  if (/HoloLens/i.test(userAgent)) return 'HoloLens 2'
  if (/Pico/i.test(userAgent)) return 'Pico'
  // Vision Pro's Safari says it is a Mac; a Mac with a touch screen is not one.
  if (/Macintosh/.test(userAgent) && maxTouchPoints > 1) return 'Vision Pro'
  if (/Android|iPhone|iPad/.test(userAgent)) return 'Mobile'
  return 'Desktop'
}

const TAG_KEY = 'fastsam-xr.tag'

function tabTag(): string {
  try {
    const saved = sessionStorage.getItem(TAG_KEY)
    if (saved) return saved
    const tag = Math.floor(Math.random() * 0x10000)
      .toString(16)
      .padStart(4, '0')
    sessionStorage.setItem(TAG_KEY, tag)
    return tag
  } catch {
    return Math.floor(Math.random() * 0x10000)
      .toString(16)
      .padStart(4, '0')
  }
}

export function displayName(): string {
  return `${deviceKind(navigator.userAgent, navigator.maxTouchPoints)} ${tabTag()}`
}
