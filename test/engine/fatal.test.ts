import t from 'tap';
import { fatalHandler } from '../../src/engine/wiring';
import { LogSink } from '../../src/util/log';

t.test('an escaped error: one log line without a stack, a flush, exit 1, once', async (t) => {
  const lines: string[] = [];
  const sink = new LogSink({ write: (l) => lines.push(l) });
  const exits: number[] = [];
  let flushed = 0;
  const onFatal = fatalHandler(sink.logger(), async () => void flushed++, (c) => exits.push(c));
  const err = new TypeError('boom');
  onFatal(err);
  onFatal(new Error('second'));
  await new Promise((r) => setImmediate(r));
  t.same(lines, ['error: internal error, restarting: TypeError: boom']);
  t.notMatch(lines.join('\n'), /at .*\(/, 'no stack frames');
  t.equal(flushed, 1);
  t.same(exits, [1]);
});

t.test('a flush that fails still exits 1', async (t) => {
  const exits: number[] = [];
  const onFatal = fatalHandler(new LogSink({ write: () => {} }).logger(), () => Promise.reject(new Error('disk')), (c) => exits.push(c));
  onFatal('a string reason');
  await new Promise((r) => setImmediate(r));
  t.same(exits, [1]);
});
