import type * as crypto from 'node:crypto';
import type { UciSection } from './uci';

// Loaded on first use (see test/cli/modules.test.ts): `ddnsd check` never hashes.
const cryptoModule = (): typeof crypto => require('node:crypto') as typeof crypto;

function sha256(text: string): string {
  return cryptoModule().createHash('sha256').update(text).digest('hex');
}

/**
 * A digest of every option of a section, so the engine can tell that the configuration of a
 * service changed (and lift a block). Secret values enter only as their own hash, so the
 * digest's input never holds a secret in clear; options are sorted so reordering lines is not
 * a change.
 */
export function fingerprint(section: UciSection, isSecret: (option: string) => boolean): string {
  const options = section.options
    .map((o) => {
      const value = isSecret(o.name) ? (typeof o.value === 'string' ? sha256(o.value) : o.value.map(sha256)) : o.value;
      return [o.name, value] as const;
    })
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return sha256(JSON.stringify([section.type, section.name, options])).slice(0, 32);
}
