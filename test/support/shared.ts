import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The project's shared folder (fixtures and references recorded from real systems) sits
 * beside the repository, as it does in CI; $DDNSD_SHARED points elsewhere.
 */
export const SHARED_DIR = process.env.DDNSD_SHARED ?? resolve(__dirname, '..', '..', '..', 'shared');

/** A path under the shared folder; a missing one fails loudly, naming where it looked. */
export function sharedPath(...parts: string[]): string {
  const p = join(SHARED_DIR, ...parts);
  if (!existsSync(p)) throw new Error(`shared fixture ${join(...parts)} not found under ${SHARED_DIR}; set DDNSD_SHARED`);
  return p;
}
