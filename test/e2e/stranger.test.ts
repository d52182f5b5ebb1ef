import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { household, readOr, sha256 } from './helpers.js'
import type { StrangerReport } from '../../scripts/harness/stranger.js'

const STRANGER = fileURLToPath(new URL('../../scripts/harness/stranger.js', import.meta.url))

/**
 * Spec section 8: a process on the household's LAN that is not in the
 * household (a libp2p node with a fresh key, same stack, same mDNS tag)
 * finds the nodes but cannot connect or read anything; garbage on the
 * port does not stop a node serving its household.
 */
describe('e2e: a stranger on the LAN cannot get in', function () {
  this.timeout(180_000)
  const e2e = household()

  it('finds the nodes by mDNS, but every dial, stream and request is refused and nothing leaks', async () => {
    const h = await e2e.create({ hosts: [{ name: 'a' }, { name: 'b' }, { name: 'x', node: false }] })
    const content = 'household secret'
    await writeFile(join(h.root('a'), 'secret.txt'), content)
    await h.start()
    await h.waitFor('b has a\'s file', async () => await readOr(join(h.root('b'), 'secret.txt')) === content)

    const r = await h.net.exec('x', process.execPath, [STRANGER, '--arena', 'shared', '--path', 'secret.txt', '--hash', sha256(content), '--size', String(content.length), '--expect', '2'])
    assert.equal(r.code, 0, r.stderr)
    const report = JSON.parse(r.stdout) as StrangerReport
    console.log(`  stranger's report: ${JSON.stringify(report.targets, null, 1).split('\n').map((l) => `    ${l}`).join('\n')}`)
    const ids = [h.node('a').peerId, h.node('b').peerId]
    assert.deepEqual(report.discovered.map((d) => d.peerId).filter((id) => ids.includes(id)).sort(), [...ids].sort(), 'the stranger is on the LAN: mDNS shows it both nodes')
    for (const id of ids) {
      const t = report.targets[id]
      assert.ok(t != null, `the stranger tried ${id}`)
      assert.deepEqual(t.leaked, { files: 0, entries: 0, bytes: 0 }, 'nothing of the household came back')
      const results: Array<[string, string]> = [...Object.entries(t.protocols), ['history', t.history], ['blob', t.blob], ['hash', t.hash]]
      for (const [what, result] of results) {
        assert.ok(!result.startsWith('ok'), `${what} refused: ${result}`)
        // {#errormsg}: even the stranger gets a readable chain, not "[object Event]".
        assert.doesNotMatch(result, /\[object /, `${what}: a readable error`)
      }
    }
    // The nodes never counted it as a peer, and nothing reached a protocol handler of theirs.
    for (const n of ['a', 'b']) {
      assert.equal(h.lines(n).some((l) => l.peerId === report.peerId && (l.event === 'peer-connected' || l.event === 'history-subscribed')), false, `${n} never let the stranger in`)
      const peers = await h.cliJson<Array<{ peerId: string }>>(n, 'peers')
      assert.equal(peers.some((p) => p.peerId === report.peerId), false)
    }

    // Garbage on the port: the nodes keep serving their household.
    const garbage = 'const s=require("net").connect({host:process.argv[1],port:9771},()=>{s.end(require("crypto").randomBytes(65536))});s.on("error",()=>{});s.on("close",()=>console.log("closed"))'
    await h.net.exec('x', process.execPath, ['-e', garbage, h.net.host('a').ipv4 as string])
    await writeFile(join(h.root('a'), 'after.txt'), 'still serving')
    await h.waitFor('b has the file a wrote after the garbage', async () => await readOr(join(h.root('b'), 'after.txt')) === 'still serving')
    assert.equal(h.node('a').process?.exitCode, undefined, 'a still runs')
  })
})
