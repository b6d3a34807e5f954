/**
 * The site key the page gives the server at the handshake: from the address the server printed
 * (`?key=`), kept in this browser's storage so a reload keeps working, and taken out of the address bar
 * so a copied address does not carry it (a room link, `?room=&token=`, grants that room only). Without it
 * the page can still join a room by its link, but not list, open or upload cases.
 */
const STORAGE_KEY = 'fastsam-xr.siteKey'

export function takeSiteKey(): string | null {
  const url = new URL(location.href)
  const given = url.searchParams.get('key')
  if (given) {
    try {
      localStorage.setItem(STORAGE_KEY, given)
    } catch {
      // storage refused (private mode): the key lives as long as this page
    }
    url.searchParams.delete('key')
    history.replaceState(history.state, '', url.toString())
    return given
  }
  try {
    return localStorage.getItem(STORAGE_KEY)
  } catch {
    return null
  }
}
