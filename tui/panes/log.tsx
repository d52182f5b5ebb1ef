import type { ReactNode } from 'react'
import { innerRows, Pane } from '../components/pane.js'
import { VirtualList } from '../components/virtual-list.js'
import type { LogLine } from '../state.js'

const MARK: Record<LogLine['level'], string> = { info: ' ', warn: '!', error: '✗' }

/** Notifications from the node, newest last; the view follows new lines unless scrolled up. */
export function LogPane (props: { log: readonly LogLine[], selected: number, focused: boolean, height: number, width: number | string }): ReactNode {
  const row = (i: number): string => {
    const l = props.log[i]
    if (l == null) return ''
    const t = new Date(l.at)
    const hh = `${String(t.getHours()).padStart(2, '0')}:${String(t.getMinutes()).padStart(2, '0')}:${String(t.getSeconds()).padStart(2, '0')}`
    return `${hh} ${MARK[l.level]} ${l.text}`
  }
  return (
    <Pane title='5 Log' focused={props.focused} height={props.height} width={props.width}>
      <VirtualList count={props.log.length} selected={props.selected} rows={innerRows(props.height)} focused={props.focused} row={row} empty='no notifications yet' />
    </Pane>
  )
}
