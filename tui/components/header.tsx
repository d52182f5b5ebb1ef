import { Box, Text } from 'ink'
import type { ReactNode } from 'react'
import type { StatusInfo } from '../../node/control/api/model.js'

/**
 * The top line: who this node is and where it listens, which is what
 * pairing another machine needs (`peer add NAME PEERID [ADDR]` there).
 * The whole PeerId is shown, never shortened, so it can be copied. Then
 * the FUSE mount, when there is one (issue 12): where, or why it is not.
 */
export function Header (props: { status: StatusInfo | null }): ReactNode {
  const s = props.status
  if (s == null) return <Text wrap='truncate' color='gray'>this node: waiting for its status…</Text>
  const addrs = s.addrs.map((a) => a.replace(/\/p2p\/[^/]+$/, ''))
  const m = s.mount
  const line = (
    <Text wrap='truncate'>
      <Text bold>this node </Text>{s.peerId}<Text color='gray'>{`  on ${addrs.length === 0 ? 'no address' : addrs.join('  ')}`}</Text>
    </Text>
  )
  if (m == null) return line
  return (
    <Box flexDirection='column'>
      {line}
      {m.state === 'mounted'
        ? <Text wrap='truncate' color='gray'>{`mounted at ${m.path}`}</Text>
        : <Text wrap='truncate' color='red'>{`mount ${m.path} ${m.state}${m.error == null ? '' : `: ${m.error}`}`}</Text>}
    </Box>
  )
}
