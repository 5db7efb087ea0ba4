// Runs a command in a private mount namespace (`unshare -m`, root only) where test
// directories are bind-mounted over router paths such as /etc, so OpenWrt scripts run
// verbatim with their absolute paths while the host's files stay untouched (mounts made
// inside the namespace are private to it).
import { spawnSync } from 'node:child_process';

export type Mount = { bind: string; at: string } | { tmpfs: string };

let available: boolean | undefined;

/** Whether this machine lets us create mount namespaces (root with CAP_SYS_ADMIN). */
export function canUnshare(): boolean {
  if (available === undefined) {
    const r = spawnSync('unshare', ['-m', 'sh', '-c', 'mount -t tmpfs none /mnt'], { encoding: 'utf8' });
    available = r.status === 0;
  }
  return available;
}

const SETUP = `
while [ "$1" != "--" ]; do
  if [ "$1" = bind ]; then mount --bind "$2" "$3" || exit 97; shift 3
  else mount -t tmpfs none "$2" || exit 97; shift 2; fi
done
shift
exec "$@"`;

export function inRootfs(mounts: Mount[], argv: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
  const spec: string[] = [];
  for (const m of mounts) {
    if ('bind' in m) spec.push('bind', m.bind, m.at);
    else spec.push('tmpfs', m.tmpfs);
  }
  const r = spawnSync('unshare', ['-m', 'sh', '-c', SETUP, 'sh', ...spec, '--', ...argv], {
    encoding: 'utf8',
    timeout: 60_000,
    ...opts,
  });
  if (r.error) throw r.error;
  if (r.status === 97) throw new Error(`could not set up mounts: ${r.stderr}`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
