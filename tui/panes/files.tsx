import { Text } from 'ink'
import type { ReactNode } from 'react'
import { fit, formatBytes, formatLocation, formatTime } from '../../node/control/api/format.js'
import type { LsEntry } from '../../node/control/api/model.js'
import { innerRows, Pane } from '../components/pane.js'
import { VirtualList } from '../components/virtual-list.js'
import { entryAt, type FilesState } from '../state.js'

/** The file browser: one directory of the merged listing, with marks and where the content is. */
export function FilesPane (props: { files: FilesState, focused: boolean, height: number, width: number }): ReactNode {
  const f = props.files
  const where = f.arena == null ? 'no arena' : `${f.arena}:${f.dir}`
  const count = f.loading ? 'loading…' : `${f.total} entr${f.total === 1 ? 'y' : 'ies'}`
  const nameWidth = Math.max(10, Math.min(60, props.width - 4 - 60))
  const row = (i: number): string | undefined => {
    const e = entryAt(f, i)
    return e == null ? undefined : line(e, nameWidth)
  }
  return (
    <Pane title={`3 Files  ${where}  ${count}`} focused={props.focused} height={props.height} width={props.width}>
      <Text dimColor wrap='truncate'>{`  ${'NAME'.padEnd(nameWidth)}  ${'MARK'.padEnd(5)}  ${'WHERE'.padEnd(11)}  ${'SIZE'.padStart(9)}  MODIFIED`}</Text>
      {f.error != null
        ? <Text color='red' wrap='truncate'>{f.error}</Text>
        : <VirtualList count={f.total} selected={f.selected} rows={innerRows(props.height, 1)} focused={props.focused} row={row} empty={f.loading ? 'loading…' : 'empty directory'} />}
    </Pane>
  )
}

function line (e: LsEntry, nameWidth: number): string {
  const name = fit(e.type === 'dir' ? `${e.name}/` : e.name, nameWidth).padEnd(nameWidth)
  const peers = e.peers.length > 0 ? `  ${e.peers.join(',')}` : ''
  // A directory too large to sum has no size (as in `ls`), not "0 B".
  const size = e.type === 'dir' && e.files == null ? '-' : formatBytes(e.size)
  return `${name}  ${e.mark.padEnd(5)}  ${formatLocation(e).padEnd(11)}  ${size.padStart(9)}  ${formatTime(e.mtime)}${peers}`
}
