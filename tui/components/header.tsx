import { Text } from 'ink'
import type { ReactNode } from 'react'
import type { StatusInfo } from '../../node/control/api/model.js'

/**
 * The top line: who this node is and where it listens, which is what
 * pairing another machine needs (`peer add NAME PEERID [ADDR]` there).
 * The whole PeerId is shown, never shortened, so it can be copied.
 */
export function Header (props: { status: StatusInfo | null }): ReactNode {
  const s = props.status
  if (s == null) return <Text wrap='truncate' color='gray'>this node: waiting for its status…</Text>
  const addrs = s.addrs.map((a) => a.replace(/\/p2p\/[^/]+$/, ''))
  return (
    <Text wrap='truncate'>
      <Text bold>this node </Text>{s.peerId}<Text color='gray'>{`  on ${addrs.length === 0 ? 'no address' : addrs.join('  ')}`}</Text>
    </Text>
  )
}
