import { Box, Text } from 'ink'
import { useRef, type ReactNode } from 'react'

/**
 * Renders only the rows in view, so a list of 100,000 entries costs as
 * much as one screen. The view scrolls as little as needed to keep the
 * selection visible (like a file manager), remembered between renders.
 */
export function VirtualList (props: {
  count: number
  selected: number
  rows: number
  focused: boolean
  /** One row, without selection styling; undefined while the row is loading. */
  row: (index: number) => string | undefined
  empty?: string
}): ReactNode {
  const top = useRef(0)
  const { count, selected, rows } = props
  if (selected < top.current) top.current = selected
  if (selected >= top.current + rows) top.current = selected - rows + 1
  top.current = Math.max(0, Math.min(top.current, Math.max(0, count - rows)))
  if (count === 0) return <Text dimColor>{props.empty ?? '(empty)'}</Text>
  const out: ReactNode[] = []
  for (let i = top.current; i < Math.min(count, top.current + rows); i++) {
    const text = props.row(i) ?? '…'
    const isSel = i === selected
    // The marker shows the selection without colour (and in plain-text captures).
    out.push(<Text key={i} wrap='truncate' inverse={isSel && props.focused} bold={isSel}>{`${isSel ? '›' : ' '} ${text}`}</Text>)
  }
  return <Box flexDirection='column'>{out}</Box>
}
