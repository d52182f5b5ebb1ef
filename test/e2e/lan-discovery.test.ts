import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { PORT, type HostPlan, type Household } from '../../scripts/harness/household.js'
import { connectedLine, household, readOr } from './helpers.js'
import type { DiscoveredPeer } from '../../node/control/api/model.js'

/**
 * {#ipv64} Discovery by mDNS on IPv4-only, IPv6-only (link-local only, and
 * ULA) and mixed LANs: a, b, c on one bridge with no static addresses, each
 * in the household of the next (a: b; b: a, c; c: b). A file written on a
 * reaches c through b. `peers --discovered` on each says over which family
 * it heard the other and lists only addresses it can dial: link-local ones
 * with its own interface as zone, none of a family it has no network for.
 */
describe('e2e: mDNS discovery on IPv4, IPv6 and mixed LANs {#ipv64}', function () {
  this.timeout(180_000)
  const e2e = household()

  const chain = (plans: Array<Pick<HostPlan, 'ipv4' | 'ipv6'>>): HostPlan[] => {
    const names = ['a', 'b', 'c']
    const next: Record<string, string[]> = { a: ['b'], b: ['a', 'c'], c: ['b'] }
    return plans.map((p, i) => {
      const name = names[i] as string
      return { name, ...p, config: (c) => { c.peers = c.peers.filter((x) => next[name]?.includes(x.name)) } }
    })
  }

  async function discovered (h: Household, on: string, of: string): Promise<DiscoveredPeer> {
    const id = h.node(of).peerId
    return await h.waitFor(`${on} hears ${of}`, async () => (await h.cliJson<DiscoveredPeer[]>(on, 'peers', '--discovered')).find((d) => d.peerId === id))
  }

  async function fileReachesC (h: Household): Promise<void> {
    await h.waitFor('b connected to a and c', () => connectedLine(h, 'b', 'a') != null && connectedLine(h, 'b', 'c') != null)
    await writeFile(join(h.root('a'), 'from-a.txt'), 'found on the LAN')
    await h.waitFor('a\'s file on c, through b', async () => await readOr(join(h.root('c'), 'from-a.txt')) === 'found on the LAN')
    assert.equal(connectedLine(h, 'a', 'c'), undefined, 'a and c are not in each other\'s household')
  }

  /** The connection's address from `from`'s log, its /p2p/ left out. */
  const remote = (h: Household, from: string, to: string): string => String(connectedLine(h, from, to)?.remoteAddr).replace(/\/p2p\/.*$/, '')

  it('IPv4 only: heard over IPv4, IPv4 addresses only', async () => {
    const h = await e2e.create({ hosts: chain([{ ipv6: false }, { ipv6: false }, { ipv6: false }]) })
    await h.net.isolate('a', 'c')
    await h.start()
    const a = h.net.host('a')
    const seen = await discovered(h, 'b', 'a')
    assert.equal(seen.family, 4)
    assert.equal(seen.from, a.ipv4)
    assert.deepEqual(seen.addrs, [`/ip4/${a.ipv4 as string}/tcp/${PORT}`], 'no IPv6 (not even ::1) nor loopback address of another host')
    await fileReachesC(h)
    assert.match(remote(h, 'b', 'a'), /^\/ip4\/10\./)
  })

  it('IPv6 only, link-local addresses only: dialled with the zone of the interface it was heard on', async () => {
    const h = await e2e.create({ hosts: chain([{ ipv4: false, ipv6: 'link-local' }, { ipv4: false, ipv6: 'link-local' }, { ipv4: false, ipv6: 'link-local' }]) })
    await h.net.isolate('a', 'c')
    await h.start()
    const seen = await discovered(h, 'b', 'a')
    assert.equal(seen.family, 6)
    assert.equal(seen.from, 'fe80::1%eth0')
    assert.deepEqual(seen.addrs, [`/ip6zone/eth0/ip6/fe80::1/tcp/${PORT}`])
    await fileReachesC(h)
    // Outbound: the zoned address dialled; inbound: the peer's link-local address (its port is ephemeral).
    for (const [from, to, ll] of [['b', 'a', 'fe80::1'], ['b', 'c', 'fe80::3'], ['a', 'b', 'fe80::2']] as const) {
      assert.match(remote(h, from, to), new RegExp(`^/(ip6zone/eth0/)?ip6/${ll}/tcp/\\d+$`), `${from} to ${to} over link-local`)
    }
    const text = await h.cli('b', 'peers', '--discovered')
    assert.match(text.stdout, /IPv6\s+fe80::1%eth0\s+\/ip6zone\/eth0\/ip6\/fe80::1\/tcp\/9771/, 'peers --discovered shows family, sender and the zoned address')
  })

  it('IPv6 only with ULA addresses: both the ULA and the zoned link-local address, no IPv4', async () => {
    const h = await e2e.create({ hosts: chain([{ ipv4: false }, { ipv4: false }, { ipv4: false }]) })
    await h.net.isolate('a', 'c')
    await h.start()
    const a = h.net.host('a')
    const seen = await discovered(h, 'b', 'a')
    assert.equal(seen.family, 6)
    assert.deepEqual([...seen.addrs].sort(), [`/ip6/${a.ipv6 as string}/tcp/${PORT}`, `/ip6zone/eth0/ip6/fe80::1/tcp/${PORT}`].sort())
    await fileReachesC(h)
    assert.match(remote(h, 'b', 'a'), /^\/(ip6zone\/eth0\/)?ip6\/(fd00:|fe80::1\/)/)
  })

  it('mixed: an IPv4-only and an IPv6-only host, each hearing the dual-stack one over its own family only', async () => {
    const h = await e2e.create({ hosts: chain([{ ipv6: false }, {}, { ipv4: false }]) })
    await h.start()
    const b = h.net.host('b')
    const fromA = await discovered(h, 'a', 'b')
    assert.equal(fromA.family, 4)
    assert.deepEqual(fromA.addrs, [`/ip4/${b.ipv4 as string}/tcp/${PORT}`], 'a, IPv4 only, keeps no IPv6 address of b')
    const fromC = await discovered(h, 'c', 'b')
    assert.equal(fromC.family, 6)
    assert.deepEqual([...fromC.addrs].sort(), [`/ip6/${b.ipv6 as string}/tcp/${PORT}`, `/ip6zone/eth0/ip6/fe80::2/tcp/${PORT}`].sort(), 'c, IPv6 only, keeps no IPv4 address of b')
    await fileReachesC(h)
    assert.match(remote(h, 'b', 'a'), /^\/ip4\//)
    assert.match(remote(h, 'b', 'c'), /^\/(ip6zone\/eth0\/)?ip6\//)
  })
})
