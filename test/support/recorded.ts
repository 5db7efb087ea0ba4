import { readFileSync } from 'node:fs';
import type { CannedReply } from './fake-http';
import { sharedPath } from './shared';

/**
 * Real provider API exchanges (shared/fixtures/providers/recorded/recordings.json: VCR
 * cassettes of live sessions, trimmed, credentials removed). A fake server answers with the
 * recorded status, content type and body byte for byte.
 */
interface Recording {
  method: string;
  uri?: string;
  url?: string;
  status: number;
  resp_headers?: Record<string, string>;
  resp_body: string;
}

let all: Record<string, Recording> | undefined;

export function recording(key: string): Recording {
  all ??= JSON.parse(readFileSync(sharedPath('fixtures/providers/recorded/recordings.json'), 'utf8')) as Record<string, Recording>;
  const r = all[key];
  if (!r) throw new Error(`no recording ${key} in recordings.json`);
  return r;
}

/** The recorded reply of `key`, to answer a request with. */
export function recordedReply(key: string): CannedReply {
  const r = recording(key);
  const type = r.resp_headers?.['content-type'];
  return { status: r.status, headers: type ? { 'content-type': type } : {}, body: r.resp_body };
}

/** The recorded reply's JSON body, parsed (to build a variant of a real reply). */
export function recordedJson(key: string): Record<string, unknown> {
  return JSON.parse(recording(key).resp_body) as Record<string, unknown>;
}
