import { tempDir } from '../helpers/tmp.js'
import { q, sh } from './shell.js'
import type { ControlClient } from '../../node/control/api/client.js'
import type { NodeProcess } from '../helpers/node-process.js'

/**
 * What every mount test sets up and takes down: a temp dir per test, and
 * the node processes, control clients and mounts it made. Node processes
 * stopped with SIGSTOP (a frozen peer) are continued before the kill; a
 * mount a killed node left behind is detached before the temp dir goes.
 */
export interface MountFixture {
  tmp: { dir: string }
  procs: NodeProcess[]
  clients: ControlClient[]
  mounts: string[]
}

export function mountFixture (prefix: string): MountFixture {
  const f: MountFixture = { tmp: { dir: '' }, procs: [], clients: [], mounts: [] }
  let cleanup: (() => Promise<void>) | undefined
  beforeEach(async () => {
    const t = await tempDir(prefix)
    f.tmp.dir = t.dir
    cleanup = t.cleanup
  })
  afterEach(async () => {
    for (const c of f.clients.splice(0)) c.close()
    for (const p of f.procs.splice(0)) {
      if (p.exitCode !== undefined) continue
      if (p.pid != null) process.kill(p.pid, 'SIGCONT')
      p.kill('SIGKILL')
      await p.waitForExit()
    }
    for (const m of f.mounts.splice(0)) await sh(`fusermount3 -u -z ${q(m)} 2>/dev/null; umount -l ${q(m)} 2>/dev/null; true`)
    await cleanup?.()
  })
  return f
}
