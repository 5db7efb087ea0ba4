import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/**
 * The Node 22 binary the executable is built from (npm's node-linux-<arch> package): the
 * router build keeps its own under openwrt/runtime/, older trees had it in the root's
 * node_modules. Tests and the bench run the bundle on it to compare with the executable.
 */
export function node22(root = ROOT): string {
  const pkg = `node-linux-${process.arch === 'arm' ? 'armv7l' : process.arch}`;
  const candidates = [
    join(root, 'openwrt', 'runtime', 'node_modules', pkg, 'bin', 'node'),
    join(root, 'node_modules', pkg, 'bin', 'node'),
  ];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`no Node 22 binary at ${candidates.join(' or ')}; run make deps`);
  return found;
}
