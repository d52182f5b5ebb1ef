import type { LsEntry } from './model.js'

/** How the CLI and the TUI show sizes, rates, times and where content is. */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']

export function formatBytes (n: number): string {
  if (!Number.isFinite(n)) return '?'
  let v = n
  let u = 0
  while (Math.abs(v) >= 1024 && u < UNITS.length - 1) { v /= 1024; u++ }
  return u === 0 ? `${v} B` : `${v < 10 ? v.toFixed(1) : Math.round(v)} ${UNITS[u] as string}`
}

export function formatRate (bytesPerSecond: number): string {
  return `${formatBytes(Math.round(bytesPerSecond))}/s`
}

/** `2024-05-01 13:45` in local time: what `ls -l` users read at a glance. */
/**
 * How a connected peer is reached (issue 17): `direct LAN`, `direct WAN`
 * (`, upgraded from relay` when it replaced a relayed connection: DCUtR
 * hole punching or a dial to an address the peer announced), or
 * `relayed via NAME`; `-` when not connected.
 */
export function formatReach (p: { reach: 'lan' | 'wan' | 'relayed' | null, relay: string | null, upgraded: boolean | null }): string {
  if (p.reach === 'relayed') return `relayed via ${p.relay ?? '?'}`
  if (p.reach === 'lan') return `direct LAN${p.upgraded === true ? ', upgraded from relay' : ''}`
  if (p.reach === 'wan') return `direct WAN${p.upgraded === true ? ', upgraded from relay' : ''}`
  return '-'
}

export function formatTime (ms: number | null): string {
  if (ms == null || ms <= 0) return '-'
  const d = new Date(ms)
  const p = (x: number): string => String(x).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`
}

/** `real`, `cached`, `cached 40%`, `remote`. */
export function formatLocation (e: Pick<LsEntry, 'location' | 'cached'>): string {
  return e.location === 'partial' ? `cached ${Math.floor(e.cached * 100)}%` : e.location
}

export function formatDuration (ms: number): string {
  const s = Math.floor(ms / 1000)
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
  if (s < 86400) return `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`
  return `${Math.floor(s / 86400)}d${Math.floor(s / 3600) % 24}h`
}

/** `[#####-----]` for a fraction 0..1. */
export function progressBar (fraction: number, width: number): string {
  const f = Math.max(0, Math.min(1, Number.isFinite(fraction) ? fraction : 0))
  const full = Math.round(f * width)
  return `[${'#'.repeat(full)}${'-'.repeat(width - full)}]`
}

/** Left-aligned columns separated by two spaces; the last column is not padded. */
export function table (rows: string[][]): string {
  const widths: number[] = []
  for (const r of rows) r.forEach((c, i) => { widths[i] = Math.max(widths[i] ?? 0, c.length) })
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd()).join('\n')
}

/** Fits `s` into `width` columns, cutting the middle (names keep their start and extension). */
export function fit (s: string, width: number): string {
  if (s.length <= width) return s
  if (width <= 1) return s.slice(0, width)
  const head = Math.ceil((width - 1) / 2)
  return `${s.slice(0, head)}…${s.slice(s.length - (width - 1 - head))}`
}
