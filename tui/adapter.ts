import { useEffect, useMemo, useRef, type Dispatch } from 'react'
import { describeError } from '../datastore/types/errors.js'
import { TOPICS, type NodeEvent } from '../node/control/api/model.js'
import type { ControlClient } from '../node/control/api/client.js'
import type { Mark } from '../datastore/types/mark.js'
import { logLineOf } from './events.js'
import { PAGE, type Action, type State } from './state.js'

/**
 * The one place node events and answers enter the TUI (STYLE.md, Ink apps):
 * the control client's subscription and calls become reducer actions.
 *
 *   subscribe(all topics) --> log line, churten progress, "refetch" hints
 *   poll every pollMs     --> status (arenas, cache), peers {#conninfo}, discovered
 *   files arena/dir/version, selected page --> ls pages from one snapshot
 */
export interface Commands {
  setMark: (arena: string, path: string, mark: Mark | null) => Promise<void>
  toggleChurten: () => Promise<void>
  addPeer: (name: string, peerId: string) => Promise<void>
}

/** Refetches triggered by bursts of events run at most this often. */
const THROTTLE_MS = 300
/** Rows above and below the selection whose pages are fetched ahead. */
const AHEAD = 100

export function useNodeAdapter (api: ControlClient, state: State, dispatch: Dispatch<Action>, options: { pollMs?: number } = {}): Commands {
  const ref = useRef(state)
  ref.current = state
  // How long the node took to list the directory: refetches after changes
  // wait at least twice that, so a huge, busy arena costs the node at most a
  // third of its time for the TUI.
  const listingMs = useRef(0)
  const pollMs = options.pollMs ?? 2000

  const fail = (what: string) => (err: unknown): void => {
    if (!api.closed) dispatch({ type: 'log', line: { at: Date.now(), level: 'error', text: `${what}: ${describeError(err)}` } })
  }

  useEffect(() => {
    let live = true
    const refreshStatus = async (): Promise<void> => {
      const status = await api.call('status')
      if (!live) return
      dispatch({ type: 'status', status })
      const first = status.arenas[0]
      if (ref.current.files.arena == null && first != null) dispatch({ type: 'open', arena: first.name, dir: '' })
    }
    const refreshPeers = async (): Promise<void> => {
      const [peers, discovered] = await Promise.all([api.call('peers'), api.call('peers.discovered')])
      if (!live) return
      dispatch({ type: 'peers', peers })
      dispatch({ type: 'discovered', discovered })
    }
    const poll = (): void => {
      if (api.closed) return
      refreshStatus().catch(fail('status'))
      refreshPeers().catch(fail('peers'))
    }
    const later = throttled(() => { refreshStatus().catch(fail('status')) }, () => 2 * listingMs.current)
    const filesLater = throttled(() => { dispatch({ type: 'refreshFiles' }) }, () => 2 * listingMs.current)
    const peersLater = throttled(() => { refreshPeers().catch(fail('peers')) })
    const onEvent = (e: NodeEvent): void => {
      const at = Date.now()
      const line = logLineOf(e, at)
      if (line != null) dispatch({ type: 'log', line })
      if (e.type === 'churten') dispatch({ type: 'churtenEvent', event: e.event, at })
      if ((e.type === 'index' || e.type === 'marks') && e.arena === ref.current.files.arena) filesLater()
      if (e.type === 'index' || e.type === 'marks') later()
      if (e.type === 'peers' || e.type === 'household') peersLater()
    }
    poll()
    const timer = setInterval(poll, pollMs)
    let sub: { close: () => Promise<void> } | undefined
    api.subscribe([...TOPICS], onEvent).then((s) => {
      if (live) sub = s
      else s.close().catch(() => {})
    }, fail('subscribing to events'))
    const onClose = (): void => { dispatch({ type: 'disconnected' }) }
    api.on('close', onClose)
    return () => {
      live = false
      clearInterval(timer)
      later.cancel()
      filesLater.cancel()
      peersLater.cancel()
      api.off('close', onClose)
      sub?.close().catch(() => {})
    }
  }, [api])

  // A new directory, or the listing changed: one page (the selection's, or
  // the page holding the name to select) from a new snapshot.
  const { arena, dir, version, snapshot, selected, total } = state.files
  useEffect(() => {
    if (arena == null) return
    const f = ref.current.files
    const offset = Math.floor(f.selected / PAGE) * PAGE
    const started = Date.now()
    api.call('ls', { arena, path: dir, offset, limit: PAGE, ...(f.select != null ? { find: f.select } : {}) }).then(
      (r) => {
        listingMs.current = Date.now() - started
        dispatch({ type: 'listing', arena, dir, snapshot: r.snapshot, total: r.total, offset: r.offset, entries: r.entries, fresh: true, found: r.found })
      },
      (err) => { if (!api.closed) dispatch({ type: 'listingError', arena, dir, message: describeError(err) }) }
    )
  }, [api, arena, dir, version])

  // Scrolling: pages around the selection from the same snapshot.
  const inFlight = useRef(new Set<string>())
  useEffect(() => {
    if (arena == null || snapshot == null) return
    const wanted = new Set([selected - AHEAD, selected, selected + AHEAD].filter((i) => i >= 0 && i < total).map((i) => Math.floor(i / PAGE)))
    for (const page of wanted) {
      const key = `${snapshot}:${page}`
      if (ref.current.files.pages.has(page) || inFlight.current.has(key)) continue
      inFlight.current.add(key)
      api.call('ls', { arena, path: dir, offset: page * PAGE, limit: PAGE, snapshot }).then(
        (r) => { dispatch({ type: 'listing', arena, dir, snapshot: r.snapshot, total: r.total, offset: r.offset, entries: r.entries, fresh: r.snapshot !== snapshot }) },
        fail('listing')
      ).finally(() => { inFlight.current.delete(key) })
    }
  }, [api, arena, dir, snapshot, selected, total])

  return useMemo<Commands>(() => ({
    setMark: async (a, path, mark) => {
      try {
        if (mark == null) await api.call('mark.rm', { arena: a, path })
        else await api.call('mark.set', { arena: a, path, mark })
        // No log line of its own: the node's `marks` event logs the change once,
        // whoever made it (this TUI, the CLI, an xattr).
        dispatch({ type: 'refreshFiles' })
      } catch (err) { fail(`marking ${a}:${path}`)(err) }
    },
    toggleChurten: async () => {
      const c = ref.current.churten
      try {
        const next = c?.running === true ? await api.call('churten.stop') : await api.call('churten.start')
        dispatch({ type: 'churten', churten: next })
      } catch (err) { fail(c?.running === true ? 'stopping churten' : 'starting churten')(err) }
    },
    addPeer: async (name, peerId) => {
      try {
        await api.call('peer.add', { name, peerId, addrs: [] })
        const [peers, discovered] = await Promise.all([api.call('peers'), api.call('peers.discovered')])
        dispatch({ type: 'peers', peers })
        dispatch({ type: 'discovered', discovered })
      } catch (err) { fail(`adding peer ${name}`)(err) }
    }
  }), [api])
}

/** Runs `fn` once after a burst, at most every THROTTLE_MS (or `minMs()` when longer). */
function throttled (fn: () => void, minMs: () => number = () => 0): (() => void) & { cancel: () => void } {
  let timer: NodeJS.Timeout | undefined
  const call = (): void => {
    if (timer != null) return
    timer = setTimeout(() => { timer = undefined; fn() }, Math.max(THROTTLE_MS, minMs()))
  }
  return Object.assign(call, { cancel: () => { clearTimeout(timer); timer = undefined } })
}
