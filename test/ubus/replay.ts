/**
 * A fake ubusd that plays one recorded transcript: it writes the recorded ubusd→client
 * messages in order and checks every message the client sends against the recorded
 * client→ubusd bytes. The n-th accepted connection plays the transcript's conn n.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FrameReader } from '../../src/ubus/framing';
import type { Fixture, FixtureMessage } from '../support/ubus-fixtures';

export interface Replay {
  socketPath: string;
  /** Problems seen: unexpected, extra or differing client messages. */
  problems: string[];
  /** Client messages that matched the recording byte for byte. */
  matched: number;
  /** Resolves when connection `conn` has played its whole script. */
  finished(conn: number): Promise<void>;
  close(): Promise<void>;
}

export async function startReplay(fx: Fixture): Promise<Replay> {
  const dir = mkdtempSync(join(tmpdir(), 'ubus-replay-'));
  const socketPath = join(dir, 'ubus.sock');
  const conns = [...new Set(fx.messages.map((m) => m.conn))].sort((a, b) => a - b);
  const done = new Map<number, () => void>();
  const finished = new Map<number, Promise<void>>(conns.map((c) => [c, new Promise<void>((r) => done.set(c, r))]));
  const sockets: Socket[] = [];
  let accepted = 0;
  const replay: Replay = {
    socketPath,
    problems: [],
    matched: 0,
    finished: (c) => finished.get(c) ?? Promise.reject(new Error(`no conn ${c} in ${fx.name}`)),
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => {
        rmSync(dir, { recursive: true, force: true });
        resolve();
      });
    }),
  };
  const server: Server = createServer((sock) => {
    sockets.push(sock);
    const conn = conns[accepted++];
    if (conn === undefined) {
      replay.problems.push(`${fx.name}: unexpected connection #${accepted}`);
      sock.destroy();
      return;
    }
    play(fx, conn, sock, replay, done.get(conn)!);
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return replay;
}

function play(fx: Fixture, conn: number, sock: Socket, replay: Replay, done: () => void): void {
  const script: FixtureMessage[] = fx.messages.filter((m) => m.conn === conn);
  const reader = new FrameReader();
  let i = 0;
  const advance = () => {
    while (i < script.length && script[i]!.dir === 'ubusd->client') sock.write(script[i++]!.bytes);
    if (i === script.length) done();
  };
  sock.on('data', (chunk: Buffer) => {
    for (const frame of reader.push(chunk)) {
      const want = script[i];
      const where = `${fx.name} conn ${conn} message ${i + 1}`;
      if (!want || want.dir !== 'client->ubusd') {
        replay.problems.push(`${where}: client sent an unexpected message ${frame.toString('hex')}`);
        continue;
      }
      i++;
      if (frame.equals(want.bytes)) replay.matched++;
      else replay.problems.push(`${where}: client sent\n  ${frame.toString('hex')}\nrecorded\n  ${want.bytes.toString('hex')}`);
    }
    advance();
  });
  sock.on('error', () => {});
  advance();
}
