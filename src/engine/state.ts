import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Outcome, RecordType } from '../providers/types';
import { fsErrorText } from '../util/error-text';
import type { Logger } from '../util/log';

/**
 * What ddnsd remembers per service and record, kept as one JSON file in --state-dir
 * (tmpfs on a router). Nothing here survives a reboot by design: after a reboot the
 * state is rebuilt by verifying.
 */

/** A record's state, as the `status` reply shows it. */
export const STATE_NAMES = ['ok', 'pending', 'updating', 'retrying', 'blocked', 'error', 'disabled'] as const;
export type StateName = (typeof STATE_NAMES)[number];

export interface RecordState {
  name: string;
  type: RecordType;
  /** The address the record is known to hold (after our update or a verification). */
  registered?: string;
  /** The address the source saw at the last check. */
  detected?: string;
  state: StateName;
  /** Unix ms of the last check / of the last change we made / of the last successful update. */
  lastCheck?: number;
  lastChange?: number;
  lastUpdate?: number;
  lastResult?: string;
  lastOutcome?: Outcome;
  /** True once a DNS lookup or provider read confirmed `registered`. */
  verified: boolean;
  /** Set for auth/abuse/nohost: no request until the service's fingerprint differs from this. */
  blockedFingerprint?: string;
}

export interface ServiceState {
  fingerprint: string;
  records: RecordState[];
  /** Failed checks in a row (transient or network). */
  failures: number;
  /** Unix ms: no provider request before this (backoff, provider minimum wait). */
  notBefore?: number;
  /** The last backoff wait, which the next one doubles. */
  lastDelayMs?: number;
  /** Provider cache (zone ids, record ids). */
  cache: Record<string, string>;
}

export interface StateFile {
  version: 1;
  services: Record<string, ServiceState>;
}

export const STATE_FILE = 'state.json';

export function emptyState(): StateFile {
  return { version: 1, services: {} };
}

export function recordKey(r: { name: string; type: string }): string {
  return `${r.name}/${r.type}`;
}

/** Read the state file; a missing file is a first start, a corrupt one is logged and ignored. */
export async function loadState(dir: string, log: Logger): Promise<StateFile> {
  const path = join(dir, STATE_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log.warn(`cannot read state ${path}: ${fsErrorText(err)}; starting without state`);
    return emptyState();
  }
  try {
    return parseState(text);
  } catch (err) {
    log.warn(`ignoring corrupt state file ${path}: ${(err as Error).message}`);
    return emptyState();
  }
}

/** Validate the shape strictly enough that the engine never trips over a damaged file. */
export function parseState(text: string): StateFile {
  const data = parseJson(text);
  if (!isObject(data) || data.version !== 1 || !isObject(data.services)) throw new Error('not a ddnsd state file (version 1)');
  const services: Record<string, ServiceState> = {};
  for (const [name, raw] of Object.entries(data.services)) services[name] = parseService(name, raw);
  return { version: 1, services };
}

/**
 * JSON.parse's message quotes the text around the fault, and this file's provider cache may
 * hold a credential (IONOS keeps its update URL, token included): say where, never what.
 */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    const at = /position (\d+)/.exec((e as Error).message)?.[1];
    throw new Error(`not valid JSON${at ? ` (at character ${at})` : ''}`);
  }
}

function parseService(name: string, raw: unknown): ServiceState {
  if (!isObject(raw) || typeof raw.fingerprint !== 'string' || !Array.isArray(raw.records)) {
    throw new Error(`service ${name}: missing fingerprint or records`);
  }
  const cache: Record<string, string> = {};
  if (isObject(raw.cache)) for (const [k, v] of Object.entries(raw.cache)) if (typeof v === 'string') cache[k] = v;
  return {
    fingerprint: raw.fingerprint,
    records: raw.records.map((r, i) => parseRecord(`${name}.records[${i}]`, r)),
    failures: typeof raw.failures === 'number' ? raw.failures : 0,
    notBefore: typeof raw.notBefore === 'number' ? raw.notBefore : undefined,
    lastDelayMs: typeof raw.lastDelayMs === 'number' ? raw.lastDelayMs : undefined,
    cache,
  };
}

function stateName(v: unknown): StateName {
  return (STATE_NAMES as readonly unknown[]).includes(v) ? (v as StateName) : 'pending';
}

function parseRecord(where: string, raw: unknown): RecordState {
  if (!isObject(raw) || typeof raw.name !== 'string' || (raw.type !== 'A' && raw.type !== 'AAAA')) {
    throw new Error(`${where}: missing name or type`);
  }
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  return {
    name: raw.name,
    type: raw.type,
    registered: str(raw.registered),
    detected: str(raw.detected),
    // `status` is what files written before the field was named `state` hold.
    state: stateName(raw.state ?? raw.status),
    lastCheck: num(raw.lastCheck),
    lastChange: num(raw.lastChange),
    lastUpdate: num(raw.lastUpdate),
    lastResult: str(raw.lastResult),
    lastOutcome: str(raw.lastOutcome) as Outcome | undefined,
    verified: raw.verified === true,
    blockedFingerprint: str(raw.blockedFingerprint),
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Writes the state file atomically (write a temporary file, then rename), one write at a
 * time; a save requested while one runs is folded into one more write afterwards.
 */
export class StateStore {
  #running: Promise<boolean> | undefined;
  #again = false;
  /** The last write failed: the next failures are not logged again (a save follows every check). */
  #failing = false;

  constructor(readonly dir: string, private readonly snapshot: () => StateFile, private readonly log: Logger) {}

  /** Resolves true when the file was written (a failure is logged). */
  save(): Promise<boolean> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#loop().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #loop(): Promise<boolean> {
    let ok: boolean;
    do {
      this.#again = false;
      ok = await this.#writeOnce();
    } while (this.#again);
    return ok;
  }

  async #writeOnce(): Promise<boolean> {
    const path = join(this.dir, STATE_FILE);
    const tmp = `${path}.${process.pid}.tmp`;
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      await writeFile(tmp, JSON.stringify(this.snapshot()), { mode: 0o600 });
      await rename(tmp, path);
      if (this.#failing) this.log.info(`state written to ${path} again`);
      this.#failing = false;
      return true;
    } catch (err) {
      if (!this.#failing) this.log.error(`cannot write state ${path}: ${fsErrorText(err)}`);
      this.#failing = true;
      return false;
    }
  }
}
