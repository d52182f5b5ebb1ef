import { Box, Text, useApp, useInput, useWindowSize } from 'ink'
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react'
import { RealizeError } from '../datastore/types/errors.js'
import type { ControlClient } from '../node/control/api/client.js'
import { useNodeAdapter } from './adapter.js'
import { useNow, type Clock } from './clock.js'
import { Header } from './components/header.js'
import { handleKey, helpText } from './keys.js'
import { ArenasPane } from './panes/arenas.js'
import { ChurtenPane } from './panes/churten.js'
import { FilesPane } from './panes/files.js'
import { LogPane } from './panes/log.js'
import { PeersPane } from './panes/peers.js'
import { initialState, reducer, type Action, type State } from './state.js'

export interface AppProps {
  api: ControlClient
  /** Terminal size; the stdout's by default. */
  size?: { rows: number, columns: number }
  pollMs?: number
  /** Where durations are measured from; the wall clock by default (tests pass a fixed one). */
  clock?: Clock
  /** Called when the user quits (q, Ctrl-C), before the app exits. */
  onQuit?: () => void
}

/** Heights of the three rows of panes for a terminal of `rows` lines (one line is the header, one the help). */
export function layout (rows: number): { top: number, files: number, bottom: number } {
  // One line short of the screen: a frame as tall as the terminal makes it scroll.
  const usable = Math.max(15, rows - 3)
  const top = Math.max(4, Math.min(9, Math.floor(usable * 0.22)))
  const bottom = Math.max(4, Math.min(10, Math.floor(usable * 0.25)))
  return { top, files: usable - top - bottom, bottom }
}

/**
 *   this node PEERID  on ADDRS
 *   ┌ 1 Peers ───────┐┌ 2 Arenas ───────┐
 *   ┌ 3 Files ARENA:dir ─────────────────┐
 *   ┌ 4 Churten ─────┐┌ 5 Log ──────────┐
 *   help line
 */
export function App (props: AppProps): ReactNode {
  // Keys typed faster than frames render must see the state the previous
  // key produced (`m` then `k`): each action is reduced once, at once, into
  // `latest`, and React renders what is there.
  const latest = useRef<State | null>(null)
  latest.current ??= initialState()
  const [state, setState] = useState(latest.current)
  const dispatch = useCallback((a: Action) => {
    latest.current = reducer(latest.current ?? initialState(), a)
    setState(latest.current)
  }, [])
  const now = useNow(props.clock)
  const commands = useNodeAdapter(props.api, state, dispatch, { pollMs: props.pollMs })
  const { exit } = useApp()
  // Follows terminal resizes.
  const win = useWindowSize()
  const columns = props.size?.columns ?? win.columns
  const rows = props.size?.rows ?? win.rows
  const h = layout(rows)
  const half = Math.floor(columns / 2)
  const focused = state.focus

  useInput((input, key) => { handleKey(input, key, { state: latest.current ?? state, dispatch, commands, exit: () => { props.onQuit?.(); exit() }, pageRows: Math.max(1, h.files - 4) }) })
  useEffect(() => {
    if (!state.connected) exit(new RealizeError('CONTROL_CLOSED', 'the node stopped'))
  }, [state.connected])

  return (
    <Box flexDirection='column' width={columns}>
      <Header status={state.status} />
      <Box>
        <PeersPane peers={state.peers} strangers={state.strangers} selected={state.selected.peers} focused={focused === 'peers'} height={h.top} width={half} now={now} />
        <ArenasPane status={state.status} selected={state.selected.arenas} focused={focused === 'arenas'} height={h.top} width={columns - half} />
      </Box>
      <FilesPane files={state.files} focused={focused === 'files'} height={h.files} width={columns} />
      <Box>
        <ChurtenPane churten={state.churten} jobs={state.jobs} selected={state.selected.churten} focused={focused === 'churten'} height={h.bottom} width={half} />
        <LogPane log={state.log} selected={state.selected.log} focused={focused === 'log'} height={h.bottom} width={columns - half} />
      </Box>
      <Text wrap='truncate' color={state.prompt != null ? 'yellow' : 'gray'}>{helpText(state)}</Text>
    </Box>
  )
}
