import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { Household, PORT } from '../../scripts/harness/household.js'
import type { DiscoveredPeer } from '../../node/control/api/model.js'

const LEGACY = fileURLToPath(new URL('../../scripts/harness/legacy-mdns.js', import.meta.url))

/**
 * {#ipv64} Realize's mDNS is @libp2p/mdns's on the wire: a stock libp2p
 * node running @libp2p/mdns with Realize's service name and a Realize node
 * on one bridge each list the other, with addresses the other can dial.
 */
describe('mDNS: on the wire the same as @libp2p/mdns {#ipv64}', function () {
  this.timeout(90_000)
  let h: Household | undefined
  afterEach(async () => {
    await h?.destroy()
    h = undefined
  })

  it('a stock @libp2p/mdns node and a Realize node discover each other', async () => {
    const household = await Household.create({ hosts: [{ name: 'a' }, { name: 'legacy', node: false }], mdns: true, report: () => {} })
    h = household
    await household.start('a')
    const a = household.node('a')
    const child = spawn('ip', ['netns', 'exec', household.net.host('legacy').ns, process.execPath, LEGACY], { stdio: ['ignore', 'pipe', 'inherit'] })
    try {
      const lines: string[] = []
      const heardA = new Promise<string>((resolve, reject) => {
        child.on('exit', (code) => { reject(new Error(`legacy node exited ${code}: ${lines.join('\n')}`)) })
        createInterface({ input: child.stdout }).on('line', (l) => {
          lines.push(l)
          if (l.startsWith(`found ${a.peerId}`)) resolve(l)
        })
      })
      const found = await heardA
      // It dials what it heard: our IPv4 address on the bridge must be among it.
      assert.ok(found.split(' ').includes(`/ip4/${household.net.host('a').ipv4 as string}/tcp/${PORT}`), found)
      const legacyId = lines.find((l) => l.startsWith('id '))?.split(' ')[1]
      assert.ok(legacyId != null)
      const seen = await household.waitFor('a lists the @libp2p/mdns node', async () => (await household.cliJson<DiscoveredPeer[]>('a', 'peers', '--discovered')).find((d) => d.peerId === legacyId))
      assert.equal(seen.family, 4)
      assert.equal(seen.from, household.net.host('legacy').ipv4)
      assert.equal(seen.inHousehold, false)
      assert.ok(seen.addrs.length > 0 && seen.addrs.every((x) => x.startsWith(`/ip4/${household.net.host('legacy').ipv4 as string}/tcp/`)), seen.addrs.join(' '))
    } finally {
      child.kill('SIGKILL')
    }
  })
})
