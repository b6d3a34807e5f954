/**
 * Structured logs (pino, JSON lines on stdout). What goes in: ids the server made (room, segment,
 * upload, case ids), sizes, timings, error codes. What never goes in: room tokens, file names of
 * uploads, volume descriptions or any DICOM tag — nothing that could identify a patient.
 */
import { pino, type Logger } from 'pino'

export type { Logger }

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { svc: 'fastsam-xr-server' },
    // Belt and braces: should a token or file name ever be passed in a log object, it is masked.
    redact: { paths: ['token', '*.token', 'fileName', '*.fileName', 'name', '*.name'], censor: '[redacted]' },
  })
}
