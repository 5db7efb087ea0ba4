import t from 'tap';
import { cut, LogSink, MAX_MESSAGE, oneLine, RateLimitedLog, type LogEntry } from '../../src/util/log';
import { FakeClock } from '../../src/util/clock';
import { Secret } from '../../src/util/secret';

t.test('a log line is one printable line with secrets masked', async (t) => {
  const lines: string[] = [];
  const sink = new LogSink({ level: 'debug', write: (l) => lines.push(l) });
  const kept: LogEntry[] = [];
  sink.onEntry((e) => kept.push(e));
  sink.addSecrets([new Secret('hunter2-xyz')]);
  sink.logger('home').warn('reply:\r\nerror: [other] forged\t\u001b[2J\u0000\u009b31m pw hunter2-xyz');
  t.strictSame(lines, ['warn: [home] reply: error: [other] forged ?[2J??31m pw ***']);
  t.equal(kept[0].message, 'reply: error: [other] forged ?[2J??31m pw ***', 'listeners (the ring) get the cleaned text');
  t.equal(oneLine('plain ünïcode € text'), 'plain ünïcode € text', 'printable text is untouched');
});

t.test('lines below the level are not made; every line is cut to MAX_MESSAGE', async (t) => {
  const lines: string[] = [];
  const sink = new LogSink({ level: 'info', write: (l) => lines.push(l) });
  const kept: LogEntry[] = [];
  sink.onEntry((e) => kept.push(e));
  sink.addSecrets([new Secret('tok-123456')]);
  const log = sink.logger('ubus');
  log.debug('x'.repeat(1_000_000));
  t.equal(kept.length + lines.length, 0, 'a debug line at level info reaches neither the writer nor the ring');
  t.notOk(sink.enabled('debug'));
  log.warn(`${'y'.repeat(MAX_MESSAGE - 5)}tok-123456${'z'.repeat(1_000_000)}`);
  t.equal(kept.length, 1);
  const m = kept[0].message;
  t.ok(m.length < MAX_MESSAGE + 40, `a 1 MB message is kept as ${m.length} characters`);
  t.notMatch(m, /tok-12/, 'a secret at the cut is masked, not half shown');
  t.match(m, /… \(\d+ more characters\)$/, 'the line says it was cut');
  sink.level = 'debug';
  log.debug('now made');
  t.equal(kept[1].message, 'now made');
  t.equal(cut('short', 10), 'short');
  t.equal(cut('abcdef', 3), 'abc… (3 more characters)');
});

t.test('RateLimitedLog: 5 lines a minute, then one line counting the rest', async (t) => {
  const clock = new FakeClock();
  const out: string[] = [];
  const rl = new RateLimitedLog((m) => out.push(m), clock);
  for (let i = 0; i < 100; i++) rl.emit(`bad message ${i}`);
  t.same(out, ['bad message 0', 'bad message 1', 'bad message 2', 'bad message 3', 'bad message 4']);
  await clock.advance(60_000);
  t.same(out.slice(5), ['95 more like it in 60 s, not logged one by one'], 'the count comes when the minute ends');
  rl.emit('later');
  t.equal(out.at(-1), 'later', 'a new minute logs again');
  t.equal(clock.pendingCount, 0);
});
