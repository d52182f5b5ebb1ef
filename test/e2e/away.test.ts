import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { household, sha256 } from './helpers.js'
import { addNatLan, forwardPort, type NatLan } from '../../scripts/harness/nat.js'
import { PORT, type Household } from '../../scripts/harness/household.js'
import type { PeerInfo } from '../../node/control/api/model.js'
import type { RelayStrangerReport } from '../../scripts/harness/relay-stranger.js'

const RELAY_STRANGER = fileURLToPath(new URL('../../scripts/harness/relay-stranger.js', import.meta.url))

/**
 * Away from home (issue 17, docs/network.md "Away from home"): the
 * household's laptop in a café and its home node are each behind a NAT
 * router (nftables masquerade; nothing gets in but replies), and neither
 * knows an address of the other. A household node on the internet runs
 * `[relay] serve = true`; both list only its address. They reserve a slot
 * on it, reach each other through it, and sync; a stranger gets nothing
 * from it. Where the home router forwards the node's port and the node
 * announces it, the relayed connection is replaced by a direct one.
 *
 *   laptop 10.N.2.1 ── café router ──┐
 *                                    internet 44.N.0.x: relay, stranger x
 *   home 10.N.1.1 ──── home router ──┘
 */
describe('e2e: away from home, through a household relay', function () {
  this.timeout(240_000)
  const e2e = household()

  interface Away { h: Household, home: NatLan, cafe: NatLan, relayAddr: string }

  /** The layout above, configured (not started). `relayLimits`: the relay limits its circuits, so libp2p marks them limited. */
  async function away (options: { forwardHome?: boolean, laptopPublic?: boolean } = {}): Promise<Away> {
    const lans: Record<string, NatLan> = {}
    const h = await e2e.create({
      mdns: false,
      network: {
        publicMain: true,
        layout: async (net) => {
          lans.home = await addNatLan(net, 'home')
          lans.cafe = await addNatLan(net, 'cafe')
        }
      },
      hosts: [
        { name: 'home', ipv6: false, segment: 'home' },
        // laptopPublic: on the internet itself (a public address, no NAT), e.g. a phone's tethering with a public IP.
        { name: 'laptop', ipv6: false, ...(options.laptopPublic === true ? {} : { segment: 'cafe' }) },
        {
          name: 'relay',
          ipv6: false,
          arenas: [{ name: 'shared', root: false }],
          // Limits low enough to matter (libp2p marks such circuits limited), high enough for the test's files.
          config: (c) => { c.relay = { serve: true, maxCircuitDurationMs: 10 * 60_000, maxCircuitDataBytes: 64 * 1024 * 1024 } }
        },
        { name: 'x', ipv6: false, node: false }
      ]
    })
    const home = lans.home as NatLan
    const cafe = lans.cafe as NatLan
    const relayAddr = `/ip4/${h.net.host('relay').ipv4 as string}/tcp/${PORT}`
    for (const n of ['home', 'laptop']) {
      await h.editConfig(n, (c) => {
        for (const p of c.peers) if (p.name === 'relay') p.addrs = [relayAddr]
        if (n === 'home' && options.forwardHome === true) c.node.announce = [`/ip4/${home.wan}/tcp/${PORT}`]
        // libp2p tells peers a public listen address only once AutoNAT confirmed it; announced, it is told at once.
        if (n === 'laptop' && options.laptopPublic === true) c.node.announce = [`/ip4/${h.net.host('laptop').ipv4 as string}/tcp/${PORT}`]
      })
    }
    if (options.forwardHome === true) await forwardPort(h.net, home, PORT, 'home')
    return { h, home, cafe, relayAddr }
  }

  async function peerOn (h: Household, on: string, name: string): Promise<PeerInfo | undefined> {
    return (await h.cliJson<PeerInfo[]>(on, 'peers')).find((p) => p.name === name)
  }

  it('the laptop in a café and the home node, both behind NAT, sync a file both ways through the relay', async () => {
    const { h, home, cafe } = await away()
    await h.start()

    const seen = await h.waitFor('laptop connected to home through the relay', async () => {
      const p = await peerOn(h, 'laptop', 'home')
      return p?.connected === true ? p : undefined
    })
    assert.equal(seen.reach, 'relayed')
    assert.equal(seen.relay, 'relay')
    assert.match(seen.remoteAddr ?? '', /\/p2p-circuit\//)
    // What the relay sees of each: the routers' public addresses, never the LANs behind them.
    const atRelay = await h.cliJson<PeerInfo[]>('relay', 'peers')
    assert.match(atRelay.find((p) => p.name === 'home')?.remoteAddr ?? '', new RegExp(`^/ip4/${home.wan}/`))
    assert.match(atRelay.find((p) => p.name === 'laptop')?.remoteAddr ?? '', new RegExp(`^/ip4/${cafe.wan}/`))
    assert.ok(atRelay.every((p) => p.reach === 'wan'), 'the relay reaches both directly over the internet')

    const table = await h.cli('laptop', 'peers')
    assert.match(table.stdout, /^home\s+connected\s+relayed via relay\b/m)

    // 3 MiB: many blob frames over the limited circuit, both ways.
    const fromHome = randomBytes(3 * 1024 * 1024)
    await writeFile(join(h.root('home'), 'from-home.bin'), fromHome)
    await h.waitFor('home\'s file realized on the laptop', async () => {
      const got = await readFile(join(h.root('laptop'), 'from-home.bin')).catch(() => undefined)
      return got != null && sha256(got) === sha256(fromHome)
    }, 120_000)
    await writeFile(join(h.root('laptop'), 'from-cafe.txt'), 'written in the café')
    await h.waitFor('the laptop\'s file realized at home', async () => await readFile(join(h.root('home'), 'from-cafe.txt'), 'utf8').catch(() => undefined) === 'written in the café')

    // Still relayed: nothing let a direct path through the NATs.
    const after = await peerOn(h, 'laptop', 'home')
    assert.equal(after?.reach, 'relayed')
    // Nothing hung up on the way (AutoNAT v1's dial-back closed the very connection it reused).
    for (const n of ['home', 'laptop']) assert.deepEqual(h.lines(n).filter((l) => l.event === 'peer-disconnected').map((l) => l.peer), [], `${n} lost a connection`)
  })

  it('a stranger can take no slot on the household relay and reach nobody through it', async () => {
    const { h, relayAddr } = await away()
    await h.start()
    // The same mechanism works for household members: home holds a slot.
    await h.waitFor('home reachable through the relay', () => h.lines('home').some((l) => l.event === 'relay-addrs' && Array.isArray(l.addrs) && l.addrs.length > 0))

    const relayId = h.node('relay').peerId
    const r = await h.net.exec('x', process.execPath, [RELAY_STRANGER, '--relay', `${relayAddr}/p2p/${relayId}`, '--target', h.node('home').peerId, '--wait-ms', '8000'])
    assert.equal(r.code, 0, r.stderr)
    const report = JSON.parse(r.stdout) as RelayStrangerReport
    assert.doesNotMatch(report.reservation, /^ok/, `the stranger got a slot: ${report.reservation}`)
    assert.doesNotMatch(report.relayedDial, /^ok/, `the stranger reached home through the relay: ${report.relayedDial}`)
    // Refused for being a stranger (not for a wrong address): the relay logged its PeerId.
    await h.waitFor('the relay logged the stranger', () => h.lines('relay').some((l) => l.event === 'stranger-refused' && l.peerId === report.peerId))
    assert.ok(!h.lines('home').some((l) => l.event === 'peer-connected' && l.peerId === report.peerId))
  })

  it('where the home router forwards the port, the relayed connection is upgraded to a direct one', async () => {
    const { h, home } = await away({ forwardHome: true })
    await h.start()

    const direct = await h.waitFor('laptop reaching home directly', async () => {
      const p = await peerOn(h, 'laptop', 'home')
      return p?.connected === true && p.reach === 'wan' ? p : undefined
    })
    assert.match(direct.remoteAddr ?? '', new RegExp(`^/ip4/${home.wan}/tcp/${PORT}`), 'through the forwarded port')
    assert.equal(direct.upgraded, true, 'it replaced the relayed connection')
    assert.ok(h.lines('laptop').some((l) => l.event === 'peer-connected' && l.peerId === h.node('home').peerId && l.reach === 'relayed'), 'the laptop first reached home through the relay')
    const table = await h.cli('laptop', 'peers')
    assert.match(table.stdout, /^home\s+connected\s+direct WAN, upgraded from relay\b/m)

    await writeFile(join(h.root('home'), 'direct.txt'), 'over the forwarded port')
    await h.waitFor('home\'s file realized on the laptop', async () => await readFile(join(h.root('laptop'), 'direct.txt'), 'utf8').catch(() => undefined) === 'over the forwarded port')
  })

  it('where one side has a public address (announced), the relayed connection is upgraded to a direct one out through the other side\'s NAT', async () => {
    const { h, home } = await away({ laptopPublic: true })
    await h.start()
    const laptopAddr = h.net.host('laptop').ipv4 as string

    const direct = await h.waitFor('home reaching the laptop directly', async () => {
      const p = await peerOn(h, 'home', 'laptop')
      return p?.connected === true && p.reach === 'wan' ? p : undefined
    })
    assert.match(direct.remoteAddr ?? '', new RegExp(`^/ip4/${laptopAddr}/tcp/${PORT}`), 'home dialled out through its NAT')
    assert.equal(direct.upgraded, true)
    // The laptop sees the home router's address: the connection came through the NAT, outbound from home.
    const fromLaptop = await h.waitFor('the laptop sees the direct connection', async () => {
      const p = await peerOn(h, 'laptop', 'home')
      return p?.reach === 'wan' ? p : undefined
    })
    assert.match(fromLaptop.remoteAddr ?? '', new RegExp(`^/ip4/${home.wan}/`))

    await writeFile(join(h.root('laptop'), 'tethered.txt'), 'from a public address')
    await h.waitFor('the laptop\'s file realized at home', async () => await readFile(join(h.root('home'), 'tethered.txt'), 'utf8').catch(() => undefined) === 'from a public address')
  })
})
