/**
 * The suite's Markdown: machine and versions, one table with every tool's
 * runs and median per workload and Realize's ratio to each, and the goals
 * of spec section 9 checked against the medians (met, or missed by how
 * much). Ratios are of speeds: "Realize vs this" 50% means Realize took
 * twice as long.
 */
import { humanSize, median, type Measure } from './common.js'

export interface Report {
  date: string
  command: string
  minutes: number
  machine: { cpu: string, memory: string, kernel: string, fs: string, load: string, versions: Record<string, string> }
  loadEnd: string
  size: number
  files: number
  fileSize: number
  limit: number
  runs: number
  notes: Record<string, string>
  results: {
    raw: Measure, cp: Measure, sha: Measure
    large: Record<'realize' | 'rsync' | 'syncthing', Measure>
    delta: Record<'realize' | 'rsync' | 'syncthing', Measure>
    small: Record<'realize' | 'rsync' | 'syncthing', Measure>
    limit: Measure
  }
  catchup?: { seconds: number[], find: number, rss: number } | string
  catchupFiles: number
}

const pct = (x: number): string => Number.isFinite(x) ? `${(100 * x).toFixed(0)}%` : '–'
const secs = (m: Measure): string => m.seconds.length === 0 ? (m.note ?? 'not run') : m.seconds.map((s) => s.toFixed(2)).join(' / ')
const med = (m: Measure): number => median(m.seconds)

export function renderReport (r: Report): string {
  const { results: x, size } = r
  const MB = (m: Measure): string => m.seconds.length === 0 ? '–' : `${(size / med(m) / 1e6).toFixed(0)} MB/s`
  const perSec = (m: Measure): string => m.seconds.length === 0 ? '–' : `${(r.files / med(m)).toFixed(0)} files/s`
  const wire = (m: Measure): string => m.bytes == null ? '–' : `${humanSize(median(m.bytes))} (${humanSize(median(m.bytesIn ?? []))} to B)`
  const vs = (realize: Measure, other: Measure): string => realize.seconds.length === 0 || other.seconds.length === 0 ? '–' : pct(med(other) / med(realize))
  const toolName = { realize: '**Realize**', rsync: 'rsync over ssh', syncthing: 'Syncthing' } as const
  const failed = (t: 'realize' | 'rsync' | 'syncthing', m: Measure): string => r.notes[t] ?? m.note ?? ''

  const rows: string[] = []
  // Workloads or tools left out with --workloads/--tools get no row.
  const row = (...cells: string[]): void => { if (cells[2] !== 'not run') rows.push(`| ${cells.join(' | ')} |`) }
  const L = `${humanSize(size)} random file`
  row(L, '**Realize**, write on A → verified on B', secs(x.large.realize), fmt(med(x.large.realize)), MB(x.large.realize), '', '')
  row(L, 'raw libp2p stream (noise+yamux, 2 processes, from memory)', secs(x.raw), fmt(med(x.raw)), MB(x.raw), '', vs(x.large.realize, x.raw))
  row(L, '`cp` on the same file system', secs(x.cp), fmt(med(x.cp)), MB(x.cp), '', vs(x.large.realize, x.cp))
  row(L, 'node:crypto SHA-256 in memory', secs(x.sha), fmt(med(x.sha)), MB(x.sha), '', vs(x.large.realize, x.sha))
  for (const t of ['rsync', 'syncthing'] as const) row(L, toolName[t], secs(x.large[t]) + note(failed(t, x.large[t])), fmt(med(x.large[t])), MB(x.large[t]), '', vs(x.large.realize, x.large[t]))
  const D = `1 MiB changed in the middle of ${humanSize(size)}`
  for (const t of ['realize', 'rsync', 'syncthing'] as const) row(D, toolName[t], secs(x.delta[t]) + note(failed(t, x.delta[t])), fmt(med(x.delta[t])), '', wire(x.delta[t]), t === 'realize' ? '' : vs(x.delta.realize, x.delta[t]))
  const S = `${r.files.toLocaleString('en')} files of ${humanSize(r.fileSize)} in ${Math.ceil(r.files / 100)} directories`
  for (const t of ['realize', 'rsync', 'syncthing'] as const) row(S, toolName[t], secs(x.small[t]) + note(failed(t, x.small[t])), fmt(med(x.small[t])), perSec(x.small[t]), '', t === 'realize' ? '' : vs(x.small.realize, x.small[t]))
  if (x.limit.seconds.length > 0 || x.limit.note != null) {
    // The token bucket starts with one second's worth (node/net/rate-limit.ts), so the floor is (size - limit) / limit.
    const floor = (size - r.limit) / r.limit
    row(`${humanSize(size)}, B's \`limits.churten_download\` = ${humanSize(r.limit)}/s`, '**Realize**', secs(x.limit), fmt(med(x.limit)), `${(size / med(x.limit) / (1024 * 1024)).toFixed(1)} MiB/s`, '', `${pct((size / med(x.limit)) / r.limit)} of the limit (≥ ${floor.toFixed(1)} s expected)`)
  }
  if (r.catchup != null) {
    const C = `catch-up of an unchanged ${r.catchupFiles.toLocaleString('en')}-file arena after restart`
    if (typeof r.catchup === 'string') row(C, '**Realize**', r.catchup, '', '', '', '')
    else {
      row(C, '**Realize** (walk start → `caught-up`)', r.catchup.seconds.map((s) => s.toFixed(2)).join(' / '), fmt(median(r.catchup.seconds)), `peak RSS ${r.catchup.rss} MB`, '', '')
      row(C, '`find -printf` (walk + stat, reference)', r.catchup.find.toFixed(2), fmt(r.catchup.find), '', '', pct(r.catchup.find / median(r.catchup.seconds)))
    }
  }

  const goals: string[] = []
  const goal = (text: string, ok: boolean | undefined, detail: string): void => {
    goals.push(`- ${text}: ${ok == null ? 'not measured' : ok ? `**met** (${detail})` : `**missed** (${detail})`}`)
  }
  const have = (...ms: Measure[]): boolean => ms.every((m) => m.seconds.length > 0)
  const rl = x.large.realize
  if (have(rl, x.raw)) {
    const ratio = med(x.raw) / med(rl)
    goal('1 GiB file at ≥ 70% of the raw libp2p stream', ratio >= 0.7, ratio >= 0.7 ? pct(ratio) : `${pct(ratio)}, ${(70 - 100 * ratio).toFixed(0)} points short; would need ≤ ${(med(x.raw) / 0.7).toFixed(2)} s instead of ${med(rl).toFixed(2)} s`)
  } else goal('1 GiB file at ≥ 70% of the raw libp2p stream', undefined, '')
  for (const t of ['rsync', 'syncthing'] as const) {
    const o = x.large[t]
    goal(`1 GiB file faster than ${toolName[t]}`, have(rl, o) ? med(rl) < med(o) : undefined, have(rl, o) ? `${med(rl).toFixed(2)} s vs ${med(o).toFixed(2)} s: Realize at ${pct(med(o) / med(rl))} of its speed` : '')
  }
  const rs = x.small.realize
  const ss = x.small.syncthing
  goal(`${r.files.toLocaleString('en')} small files faster than Syncthing`, have(rs, ss) ? med(rs) < med(ss) : undefined, have(rs, ss) ? `${med(rs).toFixed(1)} s vs ${med(ss).toFixed(1)} s: Realize at ${pct(med(ss) / med(rs))} of its speed` : '')
  const rd = x.delta.realize
  if (rd.bytesIn != null && rd.bytes != null) {
    const got = median(rd.bytesIn)
    goal('delta: bytes to B ≤ 2 × 1 MiB (signatures, B → A, allowed on top)', got <= 2 * 1024 * 1024, `${humanSize(got)} to B, ${humanSize(median(rd.bytes))} both ways; rsync ${wire(x.delta.rsync)}`)
  } else goal('delta: bytes on the wire ≤ 2 MiB + signatures', undefined, '')
  if (r.catchup != null && typeof r.catchup !== 'string') {
    const s = median(r.catchup.seconds)
    goal('catch-up of 100,000 unchanged files in seconds, RSS < 300 MB', s < 10 && r.catchup.rss < 300, `${s.toFixed(2)} s, ${r.catchup.rss} MB`)
  }
  if (x.limit.seconds.length > 0) {
    const rate = size / med(x.limit)
    const floor = (size - r.limit) / r.limit
    goal(`churten_download ${humanSize(r.limit)}/s honoured (one second's burst allowed)`, med(x.limit) >= floor * 0.97, `${med(x.limit).toFixed(2)} s, at least ${floor.toFixed(2)} s expected; ${(rate / (1024 * 1024)).toFixed(1)} MiB/s on average`)
  }

  const v = r.machine.versions
  return [
    `Run ${r.date}, ${r.runs} interleaved round(s), figures are medians; MB = 10^6 bytes; "Realize vs this" is Realize's speed as a share of the other's (100% = as fast, > 100% = Realize faster).`,
    '',
    `- Command: \`${r.command}\` (took ${r.minutes.toFixed(1)} min)`,
    `- Machine: ${r.machine.cpu}, ${r.machine.memory} RAM, ${r.machine.kernel}, ${r.machine.fs} on the data directory; load average (1/5/15 min) ${r.machine.load} at the start, ${r.loadEnd} at the end (the 2 cores are shared with another engineer's builds and tests)`,
    `- Versions: Realize ${v.realize}; Syncthing ${v.syncthing}; rsync ${v.rsync}; ${v.openssh}`,
    '',
    '| workload | tool | runs (s) | median (s) | rate | on the wire (median) | Realize vs this |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    'Goals (spec section 9), from these medians:',
    '',
    ...goals
  ].join('\n')
}

function fmt (s: number): string { return Number.isFinite(s) ? s.toFixed(2) : '–' }
function note (s: string): string { return s === '' ? '' : ` (${s})` }
