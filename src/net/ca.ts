import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';

/**
 * Extra trusted CAs, as OpenSSL takes them (ddns-scripts' `cacert`): one PEM file, or a
 * directory of PEM files (a hashed CA directory such as /etc/ssl/certs: its `*.0` links name
 * the same certificates, which are read once). Node's `ca` option replaces its built-in roots,
 * so the result starts with them: the extra CAs are trusted in addition, never instead.
 */

const PEM = /-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----/g;

export class CaError extends Error {}

function certificatesIn(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch (e) {
    throw new CaError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return text.match(PEM) ?? [];
}

/** The built-in roots plus every certificate in `path`; throws CaError naming the path when it holds none or cannot be read. */
export function caBundle(path: string): string[] {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (e) {
    throw new CaError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : String(e)}`);
  }
  const found: string[] = [];
  if (isDir) {
    for (const name of readdirSync(path).sort()) {
      const file = join(path, name);
      try {
        if (!statSync(file).isFile()) continue;
      } catch {
        continue; // a dangling link in a CA directory is not this service's problem
      }
      found.push(...certificatesIn(file));
    }
  } else {
    found.push(...certificatesIn(path));
  }
  if (found.length === 0) throw new CaError(`${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  const normal = (pem: string) => pem.replace(/\s+/g, '');
  const seen = new Set(rootCertificates.map(normal));
  const extra = found.filter((pem) => !seen.has(normal(pem)) && (seen.add(normal(pem)), true));
  return [...rootCertificates, ...extra];
}
