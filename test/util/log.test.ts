import t from 'tap';
import { LogSink, oneLine } from '../../src/util/log';
import { Secret } from '../../src/util/secret';

t.test('a log line is one printable line with secrets masked', async (t) => {
  const lines: string[] = [];
  const sink = new LogSink({ level: 'debug', write: (l) => lines.push(l) });
  sink.addSecrets([new Secret('hunter2-xyz')]);
  sink.logger('home').warn('reply:\r\nerror: [other] forged\t\u001b[2J\u0000\u009b31m pw hunter2-xyz');
  t.strictSame(lines, ['warn: [home] reply: error: [other] forged ?[2J??31m pw ***']);
  t.equal(sink.recent(1)[0].message, 'reply: error: [other] forged ?[2J??31m pw ***', 'the ring keeps the cleaned text');
  t.equal(oneLine('plain ünïcode € text'), 'plain ünïcode € text', 'printable text is untouched');
});
