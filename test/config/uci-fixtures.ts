import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHARED_DIR } from '../support/shared';

/** shared/fixtures/uci/cases: recorded from OpenWrt's real libuci (see its README). */
export const UCI_CASES = process.env.DDNSD_UCI_FIXTURES ?? join(SHARED_DIR, 'fixtures', 'uci', 'cases');

export interface UciCase {
  id: string;
  conf: Buffer;
  expected: ExpectedOk | ExpectedError;
  exportText?: Buffer;
}

export interface ExpectedSection {
  name: string;
  type: string;
  anonymous: boolean;
  ref?: string;
  options: Record<string, string | string[]>;
}

export interface ExpectedOk {
  ok: true;
  package: string;
  sections: ExpectedSection[];
}

export interface ExpectedError {
  ok: false;
  error: string;
  line: number;
  byte: number;
  message: string;
}

export function loadUciCases(): UciCase[] {
  if (!existsSync(UCI_CASES)) throw new Error(`UCI fixtures not found at ${UCI_CASES} (set DDNSD_UCI_FIXTURES)`);
  const ids = readdirSync(UCI_CASES)
    .filter((f) => f.endsWith('.conf'))
    .map((f) => f.slice(0, -'.conf'.length))
    .sort();
  return ids.map((id) => {
    const exp = join(UCI_CASES, `${id}.export.txt`);
    return {
      id,
      conf: readFileSync(join(UCI_CASES, `${id}.conf`)),
      expected: JSON.parse(readFileSync(join(UCI_CASES, `${id}.expected.json`), 'utf8')),
      exportText: existsSync(exp) ? readFileSync(exp) : undefined,
    };
  });
}
