import { Box, Text } from 'ink'
import type { ReactNode } from 'react'
import { formatBytes, progressBar } from '../../node/control/api/format.js'
import type { StatusInfo } from '../../node/control/api/model.js'
import { innerRows, Pane } from '../components/pane.js'
import { VirtualList } from '../components/virtual-list.js'

/** Short reasons for a paused arena, so the row fits (node/real/root-check.ts). */
const PAUSE_REASONS: Record<string, string> = {
  ROOT_MISSING: 'root missing',
  ROOT_NOT_DIRECTORY: 'root is not a directory',
  ROOT_UNREADABLE: 'root unreadable',
  ROOT_MARKER_MISSING: 'not the folder that was indexed (disk unmounted?)',
  ROOT_EMPTY: 'root emptied',
  CATCH_UP_FAILED: 'catch-up failed'
}

/** Arenas with real and cached counts and bytes (or why one is paused); the cache's use against its capacity. */
export function ArenasPane (props: { status: StatusInfo | null, selected: number, focused: boolean, height: number, width: number | string }): ReactNode {
  const s = props.status
  const arenas = s?.arenas ?? []
  const cache = s == null ? '' : `cache ${formatBytes(s.cache.used)}/${formatBytes(s.cache.capacity)} ${progressBar(s.cache.capacity > 0 ? s.cache.used / s.cache.capacity : 0, 8)}`
  const row = (i: number): string => {
    const a = arenas[i]
    if (a == null) return ''
    // A paused arena (spec section 4) says why and what to do instead of counts;
    // the whole message is in the log pane (a notice) and `status`.
    if (a.error != null) return `${a.name}  ${a.mark}  PAUSED: ${PAUSE_REASONS[a.error.code] ?? a.error.code}. ${a.error.hint}`
    return `${a.name}  ${a.mark}  ${a.realFiles} real (${formatBytes(a.realBytes)})  ${a.cachedFiles} cached (${formatBytes(a.cachedBytes)})`
  }
  return (
    <Pane title={`2 Arenas  ${cache}`} focused={props.focused} height={props.height} width={props.width}>
      <Box flexDirection='column'>
        {s == null
          ? <Text dimColor>loading…</Text>
          : <VirtualList count={arenas.length} selected={props.selected} rows={innerRows(props.height)} focused={props.focused} row={row} empty='no arenas in the config' />}
      </Box>
    </Pane>
  )
}
