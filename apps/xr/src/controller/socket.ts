/**
 * The one Socket.IO connection of the page: same origin (the edge server serves this app and Socket.IO
 * on one port, the dev server proxies it), WebSocket only (no long-polling fallback on headsets).
 * socket.io reconnects by itself; connect.ts re-joins the room on every (re)connect.
 */
import { io } from 'socket.io-client'
import type { ClientSocket } from './request.ts'
import { takeSiteKey } from './siteKey.ts'

let socket: ClientSocket | null = null

export function getSocket(): ClientSocket {
  socket ??= io({
    transports: ['websocket'],
    // the site key (siteKey.ts) opens cases; a connection without it may still join a room by its link
    auth: (cb) => cb({ siteKey: takeSiteKey() ?? undefined }),
    autoConnect: false,
    // back within a second or two after a network blip (defaults: 1 s rising to 5 s)
    reconnectionDelay: 500,
    reconnectionDelayMax: 3000,
  })
  return socket
}
