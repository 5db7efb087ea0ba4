/**
 * Server-side conformance (transcript 12): the object server registers `rigproxy` with the
 * recorded signature and answers the recorded INVOKEs with byte-identical DATA/STATUS, sends
 * the same NOTIFY (NO_REPLY) and event from inside a handler, and takes ACTIVE notices.
 */
import t from 'tap';
import { UbusClient, UbusError, type ObjectHandle } from '../../src/ubus';
import { settle } from '../../src/util/clock';
import { loadFixture } from '../support/ubus-fixtures';
import { startReplay } from './replay';

t.test('12-server-register-invoke', async (t) => {
  const fx = loadFixture('12-server-register-invoke.txt');
  const r = await startReplay(fx);
  const c = await UbusClient.connect({ socketPath: r.socketPath });
  const calls: string[] = [];
  const active: boolean[] = [];
  let handle: ObjectHandle | undefined;
  let n = 0;
  handle = await c.addObject('rigproxy', {
    echo: { args: { msg: 'string', id: 'int32' }, handler: (args, ctx) => { calls.push(`echo from ${ctx.peer.toString(16)} as ${ctx.user}/${ctx.group}`); return args; } },
    types: { handler: () => ({}) },
    fail: { args: { code: 'int32' }, handler: (args) => { calls.push('fail'); throw new UbusError(typeof args.code === 'number' ? args.code : 2); } },
    emit: {
      handler: async () => {
        calls.push('emit');
        n++;
        await handle!.notify('rig.notify', { n });
        await c.send('rig.event', { n });
        return { sent: n };
      },
    },
  }, { onSubscribers: (a) => active.push(a) });
  t.equal(handle.id, 0xfcd7b391, 'object id from the recorded ADD_OBJECT reply');
  await r.finished(1);
  for (let i = 0; i < 100 && active.length < 2; i++) await settle();
  c.close();
  await r.close();
  t.same(r.problems, [], 'no unexpected or differing messages');
  t.equal(r.matched, fx.messages.filter((m) => m.dir === 'client->ubusd').length, 'every recorded server message sent byte for byte');
  t.same(calls, ['echo from d571563 as root/root', 'fail', 'emit']);
  t.same(active, [true, false], 'ACTIVE 1 then ACTIVE 0 reported');
  t.equal(handle.hasSubscribers, false, 'no subscribers at the end');
});
