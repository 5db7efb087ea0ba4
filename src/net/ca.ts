import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type * as tls from 'node:tls';

/**
 * What HTTPS trusts. By default Node's built-in roots plus the router's
 * /etc/ssl/certs/ca-certificates.crt (defaultCa). A service's extra CAs, as OpenSSL takes them
 * (ddns-scripts' `cacert`): one PEM file, or a directory of PEM files (a hashed CA directory
 * such as /etc/ssl/certs: its `*.0` links name the same certificates, which are read once).
 * Node's `ca` option replaces its built-in roots, so each list starts with the defaults: the
 * extra CAs are trusted in addition, never instead.
 */

// Loaded on first use (see test/cli/modules.test.ts): only a service with option cacert needs it.
const tlsModule = (): typeof tls => require('node:tls') as typeof tls;

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

/** The router's CA bundle (written by OpenWrt's ca-certificates and ca-bundle packages). */
export const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
const defaults = new Map<string, string[] | undefined>();

/**
 * What HTTPS trusts when a service names no cacert: Node's built-in roots plus the router's
 * bundle when it holds certificates, so a private CA added there works; undefined (Node's
 * roots alone) without one. Read once per path. A `ca` list because the armv7 runtime,
 * Node 20, has no tls.setDefaultCACertificates.
 */
export function defaultCa(bundle = SYSTEM_CA_BUNDLE): string[] | undefined {
  if (!defaults.has(bundle)) {
    let ca: string[] | undefined;
    try {
      ca = caBundle(bundle, tlsModule().rootCertificates);
    } catch (e) {
      if (!(e instanceof CaError)) throw e;
    }
    defaults.set(bundle, ca);
  }
  return defaults.get(bundle);
}

/**
 * `base` (the defaults: Node's roots and the router's bundle) plus every certificate in
 * `path`; throws CaError naming the path when it holds none or cannot be read.
 */
export function caBundle(path: string, base: readonly string[] = defaultCa() ?? tlsModule().rootCertificates): string[] {
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
  const seen = new Set(base.map(normal));
  const extra = found.filter((pem) => !seen.has(normal(pem)) && (seen.add(normal(pem)), true));
  return [...base, ...extra];
}
