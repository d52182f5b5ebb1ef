/**
 * Makes sure the peers the suite compares with are installed: Debian's
 * `syncthing`, `rsync` and `openssh-server` (+ client). Installs them with
 * apt-get when missing and running as root; otherwise fails with the
 * command to run, rather than measuring fewer tools than asked.
 */
import { access, constants } from 'node:fs/promises'
import { exec, log } from './common.js'

const NEEDS: Record<string, Array<{ bin: string, pkg: string }>> = {
  rsync: [{ bin: '/usr/bin/rsync', pkg: 'rsync' }, { bin: '/usr/sbin/sshd', pkg: 'openssh-server' }, { bin: '/usr/bin/ssh', pkg: 'openssh-client' }, { bin: '/usr/bin/ssh-keygen', pkg: 'openssh-client' }],
  syncthing: [{ bin: '/usr/bin/syncthing', pkg: 'syncthing' }]
}

const present = async (path: string): Promise<boolean> => await access(path, constants.X_OK).then(() => true, () => false)

export async function ensureInstalled (tools: string[]): Promise<void> {
  const missing = new Set<string>()
  for (const t of tools) {
    for (const n of NEEDS[t] ?? []) if (!await present(n.bin)) missing.add(n.pkg)
  }
  if (missing.size === 0) return
  const pkgs = [...missing]
  if (process.getuid?.() !== 0) {
    throw new Error(`missing packages: ${pkgs.join(' ')}. Install them (sudo apt-get update && sudo apt-get install -y ${pkgs.join(' ')}) or run the suite as root, or leave the tool out with --tools`)
  }
  log(`installing ${pkgs.join(' ')} with apt-get`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  await exec('apt-get', ['update'], { env, maxBuffer: 64 * 1024 * 1024 })
  await exec('apt-get', ['install', '-y', '--no-install-recommends', ...pkgs], { env, maxBuffer: 64 * 1024 * 1024 })
  for (const t of tools) {
    for (const n of NEEDS[t] ?? []) if (!await present(n.bin)) throw new Error(`${n.bin} still missing after apt-get install ${n.pkg}`)
  }
}
