import { Box, Text } from 'ink'
import type { ReactNode } from 'react'
import { formatBytes, formatDuration, formatReach } from '../../node/control/api/format.js'
import type { DiscoveredPeer, PeerInfo } from '../../node/control/api/model.js'
import { innerRows, Pane } from '../components/pane.js'
import { VirtualList } from '../components/virtual-list.js'

/**
 * Household peers with connection info {#conninfo}, then peers discovered
 * on the LAN that are not in the household, each connected peer with how
 * it is reached (direct LAN, direct WAN, relayed via NAME). The last line
 * details the selected one (address, direction, encryption and muxer; or its id).
 */
export function PeersPane (props: { peers: readonly PeerInfo[], strangers: readonly DiscoveredPeer[], selected: number, focused: boolean, height: number, width: number | string, now: number }): ReactNode {
  const { peers, strangers } = props
  const connected = peers.filter((p) => p.connected).length
  const title = `1 Peers  ${connected}/${peers.length} connected${strangers.length > 0 ? `  ${strangers.length} discovered` : ''}`
  const row = (i: number): string => {
    const p = peers[i]
    if (p != null) {
      if (!p.connected) return `○ ${p.name}  disconnected`
      const rtt = p.rttMs == null ? '' : `  ${Math.round(p.rttMs)}ms`
      const since = p.since == null ? '' : `  ${formatDuration(props.now - p.since)}`
      return `● ${p.name}  ${formatReach(p)}${rtt}  ↓${formatBytes(p.bytesIn ?? 0)} ↑${formatBytes(p.bytesOut ?? 0)}${since}`
    }
    const d = strangers[i - peers.length]
    return d == null ? '' : `? ${d.peerId}`
  }
  const count = peers.length + strangers.length
  return (
    <Pane title={title} focused={props.focused} height={props.height} width={props.width}>
      <Box flexDirection='column' flexGrow={1}>
        <VirtualList count={count} selected={props.selected} rows={innerRows(props.height, count > 0 ? 1 : 0)} focused={props.focused} row={row} empty='no peers; add one with realize-node peer add' />
      </Box>
      {count > 0 && <Text dimColor wrap='truncate'>{detail(peers, strangers, props.selected)}</Text>}
    </Pane>
  )
}

function detail (peers: readonly PeerInfo[], strangers: readonly DiscoveredPeer[], selected: number): string {
  const p = peers[selected]
  if (p != null) {
    if (!p.connected) return `${p.peerId}  ${p.addrs.length > 0 ? p.addrs.join(' ') : 'found by mDNS'}`
    return `${p.direction ?? ''} ${p.remoteAddr?.replace(/\/p2p\/[^/]+$/, '') ?? ''} ${p.encryption ?? ''} ${p.muxer ?? ''}`
  }
  const d = strangers[selected - peers.length]
  return d == null ? '' : `discovered over IPv${d.family} from ${d.from}, not in household  a: add  ${d.addrs.join(' ')}`
}
