import type { Key } from 'ink'
import type { Dispatch } from 'react'
import type { Commands } from './adapter.js'
import { entryAt, PANES, type Action, type State } from './state.js'

/**
 * Keys (shown by the help line):
 *   Tab / Shift-Tab, 1-5   switch panes
 *   ↑ ↓ j k, PgUp PgDn, Home End g G   move in the pane
 *   Enter → l   open (arena, directory); ← h Backspace   up a directory
 *   m then o/k/w/r   mark the selection own/keep/watch, or remove its mark
 *   c   start / stop churten
 *   a   add the selected discovered peer to the household
 *   q, Ctrl-C   quit
 */
export interface KeyContext {
  state: State
  dispatch: Dispatch<Action>
  commands: Commands
  exit: () => void
  /** Rows a page key moves. */
  pageRows: number
}

export function handleKey (input: string, key: Key, ctx: KeyContext): void {
  const { state, dispatch, commands } = ctx
  const prompt = state.prompt
  if (prompt != null) {
    if (key.escape) { dispatch({ type: 'prompt', prompt: null }); return }
    if (prompt.kind === 'mark') {
      const mark = input === 'o' ? 'own' : input === 'k' ? 'keep' : input === 'w' ? 'watch' : input === 'r' ? null : undefined
      if (mark === undefined) return
      dispatch({ type: 'prompt', prompt: null })
      void commands.setMark(prompt.arena, prompt.path, mark)
      return
    }
    if (key.return) {
      dispatch({ type: 'prompt', prompt: null })
      const name = prompt.value.trim()
      if (name !== '') void commands.addPeer(name, prompt.peerId)
      return
    }
    if (key.backspace || key.delete) { dispatch({ type: 'prompt', prompt: { ...prompt, value: prompt.value.slice(0, -1) } }); return }
    if (input !== '' && !key.ctrl && !key.meta && !/[\u0000-\u001f]/.test(input)) dispatch({ type: 'prompt', prompt: { ...prompt, value: prompt.value + input } })
    return
  }

  if (input === 'q' || (key.ctrl && input === 'c')) { ctx.exit(); return }
  if (key.tab) { dispatch({ type: 'focusNext', delta: key.shift ? -1 : 1 }); return }
  if (/^[1-5]$/.test(input)) { dispatch({ type: 'focus', pane: PANES[Number(input) - 1] as State['focus'] }); return }
  if (key.upArrow || input === 'k') { dispatch({ type: 'move', delta: -1 }); return }
  if (key.downArrow || input === 'j') { dispatch({ type: 'move', delta: 1 }); return }
  if (key.pageUp) { dispatch({ type: 'move', delta: -ctx.pageRows }); return }
  if (key.pageDown) { dispatch({ type: 'move', delta: ctx.pageRows }); return }
  if (key.home || input === 'g') { dispatch({ type: 'moveTo', where: 'start' }); return }
  if (key.end || input === 'G') { dispatch({ type: 'moveTo', where: 'end' }); return }
  if (input === 'c') { void commands.toggleChurten(); return }

  const f = state.files
  const stranger = state.focus === 'peers' ? state.strangers[state.selected.peers - state.peers.length] : undefined
  if (key.return || key.rightArrow || input === 'l' || input === 'a') {
    if (state.focus === 'arenas' && input !== 'a') {
      const a = state.status?.arenas[state.selected.arenas]
      if (a != null) dispatch({ type: 'open', arena: a.name, dir: '' })
    } else if (state.focus === 'files' && input !== 'a') {
      const e = entryAt(f, f.selected)
      if (e?.type === 'dir' && f.arena != null) dispatch({ type: 'open', arena: f.arena, dir: e.path })
    } else if (stranger != null && (input === 'a' || key.return)) {
      dispatch({ type: 'prompt', prompt: { kind: 'peerName', peerId: stranger.peerId, value: `peer-${stranger.peerId.slice(-6)}` } })
    }
    return
  }
  if ((key.leftArrow || key.backspace || key.delete || input === 'h') && state.focus === 'files' && f.arena != null && f.dir !== '') {
    const slash = f.dir.lastIndexOf('/')
    dispatch({ type: 'open', arena: f.arena, dir: slash < 0 ? '' : f.dir.slice(0, slash), select: f.dir.slice(slash + 1) })
    return
  }
  if (input === 'm') {
    if (state.focus === 'files' && f.arena != null) {
      const e = entryAt(f, f.selected)
      if (e != null) dispatch({ type: 'prompt', prompt: { kind: 'mark', arena: f.arena, path: e.path } })
    } else if (state.focus === 'arenas') {
      const a = state.status?.arenas[state.selected.arenas]
      if (a != null) dispatch({ type: 'prompt', prompt: { kind: 'mark', arena: a.name, path: '' } })
    }
  }
}

/** The help line for the focused pane. */
export function helpText (state: State): string {
  const p = state.prompt
  if (p?.kind === 'mark') return `mark ${p.arena}:${p.path}  o own  k keep  w watch  r remove its mark  Esc cancel`
  if (p?.kind === 'peerName') return `name for ${p.peerId}: ${p.value}_   Enter add  Esc cancel`
  const pane: Record<State['focus'], string> = {
    peers: 'a add discovered peer',
    arenas: 'Enter browse  m mark arena',
    files: 'Enter open  ← up  m mark',
    churten: '',
    log: ''
  }
  return ['Tab/1-5 pane', '↑↓ PgUp/PgDn move', pane[state.focus], 'c churten start/stop', 'q quit'].filter((s) => s !== '').join('  ')
}
