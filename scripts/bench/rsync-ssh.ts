/**
 * rsync over ssh in the side-by-side suite: an sshd of our own on a free
 * loopback port (generated host key, generated client key in its
 * authorized_keys, public-key login only), and `rsync -a --stats` pushing
 * from A's directory to B's through it, with ssh's default cipher. The
 * system's sshd service is not touched. rsync is run when the data is
 * there (nothing watches), so its figures have no detection delay in them.
 * Bytes on the wire are rsync's own `--stats` totals (sent + received,
 * the rsync protocol without ssh's framing).
 */
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  checkSmallTree, exec, flush, freePort, onCleanup, patchMiddle, sha256File, sleep, stopChild, track, writeRandom,
  writeSmallTree, type Wire
} from './common.js'
import { hashWithPatch } from './delta-hash.js'
import type { ChildProcess } from 'node:child_process'

export const SSHD = '/usr/sbin/sshd'

export class RsyncSsh {
  readonly a: string
  readonly b: string
  private sshd?: ChildProcess
  private ssh: string[] = []

  constructor (readonly base: string) {
    this.a = join(base, 'a')
    this.b = join(base, 'b')
  }

  async start (): Promise<void> {
    const dir = join(this.base, 'ssh')
    await mkdir(dir, { recursive: true })
    await mkdir(this.a, { recursive: true })
    await mkdir(this.b, { recursive: true })
    // Privilege separation directory: Debian's service creates it, a bare sshd needs it.
    await mkdir('/run/sshd', { recursive: true, mode: 0o755 })
    await exec('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')])
    await exec('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'client_key')])
    await exec('cp', [join(dir, 'client_key.pub'), join(dir, 'authorized_keys')])
    const port = await freePort()
    await writeFile(join(dir, 'sshd_config'), [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_key')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      // The key files live in a temp directory that sshd's owner checks would refuse.
      'StrictModes no',
      'Subsystem sftp internal-sftp',
      ''
    ].join('\n'))
    this.sshd = track(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')])
    let stderr = ''
    this.sshd.stderr?.setEncoding('utf8').on('data', (c: string) => { stderr += c })
    this.sshd.stdout?.resume()
    onCleanup(async () => { await this.stop() })
    this.ssh = ['ssh', '-F', '/dev/null', '-p', String(port), '-i', join(dir, 'client_key'), '-o', 'StrictHostKeyChecking=no',
      '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR']
    for (let i = 0; ; i++) {
      try {
        await exec(this.ssh[0]!, [...this.ssh.slice(1), '127.0.0.1', 'true'])
        break
      } catch (err) {
        if (i >= 50 || this.sshd.exitCode != null) throw new Error(`sshd on 127.0.0.1:${port} did not accept the client key: ${(err as Error).message}; sshd: ${stderr}`)
        await sleep(100)
      }
    }
  }

  async stop (): Promise<void> {
    if (this.sshd != null) await stopChild(this.sshd)
  }

  async version (): Promise<string> {
    const rsync = (await exec('rsync', ['--version'])).stdout.split('\n')[0]!.replace(/\s+protocol.*/, '')
    const ssh = (await exec('ssh', ['-V'])).stderr.trim()
    return `${rsync}; ${ssh.split(',')[0]}`
  }

  /** `rsync -a --stats` of `src` (relative to A) into B; seconds and wire bytes. */
  private async push (src: string, dst: string): Promise<Wire> {
    const t0 = performance.now()
    const { stdout } = await exec('rsync', ['-a', '--stats', '-e', this.ssh.join(' '), join(this.a, src), `127.0.0.1:${join(this.b, dst)}`], { maxBuffer: 64 * 1024 * 1024 })
    const seconds = (performance.now() - t0) / 1000
    const num = (label: string): number => Number(new RegExp(`${label}: ([\\d,]+)`).exec(stdout)?.[1]?.replaceAll(',', '') ?? NaN)
    // Pushing, rsync sends the data and receives B's block signatures.
    return { seconds, bytes: num('Total bytes sent') + num('Total bytes received'), bytesIn: num('Total bytes sent') }
  }

  async large (name: string, size: number): Promise<number> {
    await writeRandom(join(this.a, name), size)
    const hash = await sha256File(join(this.a, name))
    await flush()
    const { seconds } = await this.push(name, name)
    if (await sha256File(join(this.b, name)) !== hash) throw new Error(`rsync: ${name} differs on b`)
    return seconds
  }

  async delta (name: string, size: number): Promise<Wire> {
    const { patch, hash } = await hashWithPatch(join(this.a, name), size)
    await flush()
    // The write is outside the clock here: rsync only starts when asked.
    await patchMiddle(join(this.a, name), size, patch)
    const r = await this.push(name, name)
    if (await sha256File(join(this.b, name)) !== hash) throw new Error(`rsync: ${name} differs on b after the delta`)
    return r
  }

  async small (name: string, files: number, fileSize: number): Promise<number> {
    await writeSmallTree(join(this.a, name), files, fileSize)
    await flush()
    const { seconds } = await this.push(`${name}/`, `${name}/`)
    await checkSmallTree(join(this.a, name), join(this.b, name), files)
    return seconds
  }

  async remove (name: string): Promise<void> {
    await rm(join(this.a, name), { recursive: true, force: true })
    await rm(join(this.b, name), { recursive: true, force: true })
  }
}
