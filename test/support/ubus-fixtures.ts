/**
 * Loader for the recorded ubusd transcripts in shared/fixtures/ubus/ (format in its
 * README): each message's bytes, direction, connection and the header fields as printed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHARED_DIR } from './shared';

export const UBUS_FIXTURE_DIR = join(SHARED_DIR, 'fixtures', 'ubus');

export type Direction = 'ubusd->client' | 'client->ubusd';

export interface FixtureMessage {
  file: string;
  conn: number;
  dir: Direction;
  total: number;
  header: { version: number; type: number; typeName: string; seq: number; peer: number; rootId: number; rootLen: number };
  bytes: Buffer;
}

export interface Fixture {
  name: string;
  messages: FixtureMessage[];
  /** Lines of the CLI output section, without the leading '# '. */
  output: string[];
}

const START = /^\[conn (\d+)\] (ubusd->client|client->ubusd) t=([0-9.]+) total=(\d+) bytes$/;
const HEADER = /^ {2}header: version=(\d+) type=(\d+) \((\w+)\) seq=(\d+) peer=0x([0-9a-f]{8}) ; root blob id=(\d+) len=(\d+)$/;
const HEX = /^ {4}([0-9a-f]{4}): ((?:[0-9a-f]{2} ){1,16})/;

export function fixtureFiles(dir = UBUS_FIXTURE_DIR): string[] {
  return readdirSync(dir).filter((f) => /^\d\d-.*\.txt$/.test(f)).sort();
}

export function loadFixture(file: string, dir = UBUS_FIXTURE_DIR): Fixture {
  const lines = readFileSync(join(dir, file), 'utf8').split('\n');
  const messages: FixtureMessage[] = [];
  const output: string[] = [];
  let cur: (Omit<FixtureMessage, 'bytes' | 'header'> & { header?: FixtureMessage['header']; hex: string[] }) | undefined;
  let inOutput = false;
  const finish = () => {
    if (!cur) return;
    if (!cur.header) throw new Error(`${file}: message without a header line`);
    const bytes = Buffer.from(cur.hex.join(''), 'hex');
    if (bytes.length !== cur.total) throw new Error(`${file}: message has ${bytes.length} bytes, header says ${cur.total}`);
    messages.push({ file, conn: cur.conn, dir: cur.dir, total: cur.total, header: cur.header, bytes });
    cur = undefined;
  };
  for (const line of lines) {
    if (line.startsWith('# ---- CLI output')) inOutput = true;
    else if (inOutput && line.startsWith('# ')) output.push(line.slice(2));
    const start = START.exec(line);
    if (start) {
      finish();
      cur = { file, conn: Number(start[1]), dir: start[2] as Direction, total: Number(start[4]), hex: [] };
      continue;
    }
    if (!cur) continue;
    const h = HEADER.exec(line);
    if (h) {
      cur.header = {
        version: Number(h[1]), type: Number(h[2]), typeName: h[3]!, seq: Number(h[4]),
        peer: parseInt(h[5]!, 16), rootId: Number(h[6]), rootLen: Number(h[7]),
      };
      continue;
    }
    const x = HEX.exec(line);
    if (x) cur.hex.push(x[2]!.replace(/ /g, ''));
    else if (line.trim() === '') finish();
  }
  finish();
  return { name: file.replace(/\.txt$/, ''), messages, output };
}

export function loadAllFixtures(dir = UBUS_FIXTURE_DIR): Fixture[] {
  return fixtureFiles(dir).map((f) => loadFixture(f, dir));
}
