import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { PORT } from '../../scripts/harness/household.js'
import { connectedLine, household, readOr } from './helpers.js'
import type { Config } from '../../node/config/config.js'

/** Lists `hub:PORT` as the hub's only address: the name, not an IP, is what the node dials. */
function dialHubByName (c: Config): void {
  for (const p of c.peers) p.addrs = p.name === 'hub' ? [`hub:${PORT}`] : []
}

/**
 * {#ipv64} A household on one bridge where `v6` has only IPv6 and `v4` only
 * IPv4: they cannot reach each other, but both reach `hub` (dual-stack) by
 * the static address `hub:9771`. In every namespace `hub` resolves (own
 * /etc/hosts) to both of its addresses, the way `localhost` resolves to ::1
 * and 127.0.0.1: v6 reaches it over IPv6, v4 falls back to IPv4. mDNS is
 * off, so every connection comes from a static name. Files flow v6 -> hub
 * -> v4 and back, republished by hub {#multi-peer}.
 */
describe('e2e: dual stack through a host name {#ipv64}', function () {
  this.timeout(180_000)
  const e2e = household()

  it('an IPv6-only and an IPv4-only host sync through a dual-stack host they dial by name', async () => {
    const h = await e2e.create({
      mdns: false,
      hosts: [
        { name: 'hub' },
        { name: 'v6', ipv4: false, config: dialHubByName },
        { name: 'v4', ipv6: false, config: dialHubByName }
      ]
    })
    const hub = h.net.host('hub')
    for (const n of ['v6', 'v4']) await h.net.writeHosts(n, { hub: [hub.ipv6 as string, hub.ipv4 as string] })
    // The hub listens on both families before anyone dials: otherwise v6 or v4 may rightly give up on a family not bound yet.
    await h.start('hub')
    await h.start('v6', 'v4')
    const v6 = await h.waitFor('v6 connected to hub', () => connectedLine(h, 'v6', 'hub'))
    const v4 = await h.waitFor('v4 connected to hub', () => connectedLine(h, 'v4', 'hub'))
    assert.equal(v6.remoteAddr, `/ip6/${hub.ipv6 as string}/tcp/${PORT}/p2p/${h.node('hub').peerId}`, 'v6 dialed hub\'s IPv6 address')
    assert.equal(v4.remoteAddr, `/ip4/${hub.ipv4 as string}/tcp/${PORT}/p2p/${h.node('hub').peerId}`, 'v4 tried IPv6, fell back to IPv4')

    await writeFile(join(h.root('v6'), 'from-v6.txt'), 'sent over IPv6')
    await h.waitFor('v4 has v6\'s file (through hub)', async () => await readOr(join(h.root('v4'), 'from-v6.txt')) === 'sent over IPv6')
    await writeFile(join(h.root('v4'), 'from-v4.txt'), 'sent over IPv4')
    await h.waitFor('v6 has v4\'s file (through hub)', async () => await readOr(join(h.root('v6'), 'from-v4.txt')) === 'sent over IPv4')
    assert.equal(connectedLine(h, 'v6', 'v4'), undefined, 'v6 and v4 never met: no common address family')
    const peers = await h.cliJson<Array<{ name: string, connected: boolean, remoteAddr: string | null }>>('hub', 'peers')
    assert.deepEqual(peers.map((p) => [p.name, p.connected, p.remoteAddr?.split('/')[1]]).sort(), [['v4', true, 'ip4'], ['v6', true, 'ip6']])
  })
})
