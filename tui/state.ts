import { applyJobEvent, type JobView } from '../node/control/api/jobs.js'
import type { ChurtenEvent, ChurtenStatus, DiscoveredPeer, LsEntry, PeerInfo, StatusInfo } from '../node/control/api/model.js'

/**
 * The TUI's state and its reducer. Everything the node says arrives as an
 * action from the adapter (adapter.ts); keys become actions too (keys.ts).
 * Pure: time comes in with the actions that need it.
 */

export type PaneId = 'peers' | 'arenas' | 'files' | 'churten' | 'log'
export const PANES: readonly PaneId[] = ['peers', 'arenas', 'files', 'churten', 'log']

/** Entries per `ls` page; the file browser holds only the pages around the view. */
export const PAGE = 500
/** Notification log lines kept. */
export const LOG_LINES = 500

export interface FilesState {
  arena: string | null
  dir: string
  snapshot: number | null
  total: number
  /** Page number -> entries (PAGE per page). */
  pages: ReadonlyMap<number, readonly LsEntry[]>
  selected: number
  /** Select this name once the listing is known (coming back up from a directory). */
  select: string | null
  loading: boolean
  error: string | null
  /** Bumped when the listing must be fetched again (files or marks changed). */
  version: number
}

export interface LogLine { at: number, level: 'info' | 'warn' | 'error', text: string }

export type Prompt =
  | { kind: 'mark', arena: string, path: string }
  | { kind: 'peerName', peerId: string, value: string }

export interface State {
  connected: boolean
  focus: PaneId
  status: StatusInfo | null
  peers: readonly PeerInfo[]
  /** Discovered peers that are not in the household. */
  strangers: readonly DiscoveredPeer[]
  churten: ChurtenStatus | null
  jobs: ReadonlyMap<number, JobView>
  files: FilesState
  log: readonly LogLine[]
  selected: Readonly<Record<Exclude<PaneId, 'files'>, number>>
  prompt: Prompt | null
}

export type Action =
  | { type: 'disconnected' }
  | { type: 'status', status: StatusInfo }
  | { type: 'peers', peers: PeerInfo[] }
  | { type: 'discovered', discovered: DiscoveredPeer[] }
  | { type: 'churten', churten: ChurtenStatus }
  | { type: 'churtenEvent', event: ChurtenEvent, at: number }
  | { type: 'open', arena: string, dir: string, select?: string }
  | { type: 'listing', arena: string, dir: string, snapshot: number, total: number, offset: number, entries: LsEntry[], fresh: boolean, found?: number }
  | { type: 'listingError', arena: string, dir: string, message: string }
  | { type: 'refreshFiles' }
  | { type: 'log', line: LogLine }
  | { type: 'focus', pane: PaneId }
  | { type: 'focusNext', delta: 1 | -1 }
  | { type: 'move', delta: number }
  | { type: 'moveTo', where: 'start' | 'end' }
  | { type: 'prompt', prompt: Prompt | null }

export function initialState (): State {
  return {
    connected: true,
    focus: 'files',
    status: null,
    peers: [],
    strangers: [],
    churten: null,
    jobs: new Map(),
    files: { arena: null, dir: '', snapshot: null, total: 0, pages: new Map(), selected: 0, select: null, loading: false, error: null, version: 0 },
    log: [],
    selected: { peers: 0, arenas: 0, churten: 0, log: 0 },
    prompt: null
  }
}

/** Rows of each list pane, for moving the selection. */
export function rowCount (s: State, pane: PaneId): number {
  switch (pane) {
    case 'peers': return s.peers.length + s.strangers.length
    case 'arenas': return s.status?.arenas.length ?? 0
    case 'files': return s.files.total
    case 'churten': return s.jobs.size
    case 'log': return s.log.length
  }
}

export function entryAt (f: FilesState, index: number): LsEntry | undefined {
  return f.pages.get(Math.floor(index / PAGE))?.[index % PAGE]
}

const clamp = (n: number, count: number): number => Math.max(0, Math.min(n, count - 1))

function select (s: State, pane: PaneId, index: number): State {
  const i = clamp(index, rowCount(s, pane))
  if (pane === 'files') return { ...s, files: { ...s.files, selected: i } }
  return { ...s, selected: { ...s.selected, [pane]: i } }
}

function selectedIn (s: State, pane: PaneId): number {
  return pane === 'files' ? s.files.selected : s.selected[pane]
}

export function reducer (s: State, a: Action): State {
  switch (a.type) {
    case 'disconnected': return { ...s, connected: false }
    case 'status': return { ...s, status: a.status, churten: a.status.churten }
    case 'peers': return { ...s, peers: a.peers }
    case 'discovered': return { ...s, strangers: a.discovered.filter((d) => !d.inHousehold) }
    case 'churten': return { ...s, churten: a.churten, jobs: a.churten.running ? s.jobs : new Map() }
    case 'churtenEvent': {
      const churten = s.churten == null || a.event.type !== 'state' ? s.churten : { ...s.churten, running: a.event.running }
      return { ...s, churten, jobs: applyJobEvent(s.jobs, a.event, a.at) }
    }
    case 'open':
      return { ...s, focus: 'files', files: { ...initialState().files, arena: a.arena, dir: a.dir, select: a.select ?? null, loading: true, version: s.files.version + 1 } }
    case 'listing': {
      const f = s.files
      if (a.arena !== f.arena || a.dir !== f.dir) return s
      const pages = new Map(a.fresh ? [] : f.pages)
      pages.set(Math.floor(a.offset / PAGE), a.entries)
      const found = a.found != null && a.found >= 0 ? a.found : undefined
      const selected = clamp(found ?? f.selected, a.total)
      return { ...s, files: { ...f, snapshot: a.snapshot, total: a.total, pages, selected, select: found == null ? f.select : null, loading: false, error: null } }
    }
    case 'listingError':
      if (a.arena !== s.files.arena || a.dir !== s.files.dir) return s
      return { ...s, files: { ...s.files, loading: false, error: a.message } }
    case 'refreshFiles': return { ...s, files: { ...s.files, version: s.files.version + 1 } }
    case 'log': {
      const log = s.log.length >= LOG_LINES ? [...s.log.slice(s.log.length - LOG_LINES + 1), a.line] : [...s.log, a.line]
      // The log follows new lines unless the user scrolled up.
      const following = s.selected.log >= s.log.length - 1
      return { ...s, log, selected: following ? { ...s.selected, log: log.length - 1 } : s.selected }
    }
    case 'focus': return { ...s, focus: a.pane }
    case 'focusNext': {
      const i = PANES.indexOf(s.focus)
      return { ...s, focus: PANES[(i + a.delta + PANES.length) % PANES.length] as PaneId }
    }
    case 'move': return select(s, s.focus, selectedIn(s, s.focus) + a.delta)
    case 'moveTo': return select(s, s.focus, a.where === 'start' ? 0 : rowCount(s, s.focus) - 1)
    case 'prompt': return { ...s, prompt: a.prompt }
  }
}
