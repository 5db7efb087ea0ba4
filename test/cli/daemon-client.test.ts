import t from 'tap';
import { callError } from '../../src/cli/daemon-client';
import { UbusError, UbusStatus } from '../../src/ubus';

t.test('a call that times out says which method and where to look, not the wire status', async (t) => {
  const e = callError('detect', {}, new UbusError(UbusStatus.TIMEOUT, 'ubus call ddnsd detect: no reply within 120000 ms (TIMEOUT)'), 120_000);
  t.equal(e.code, 1);
  t.equal(e.message, 'ddnsd did not answer detect within 120 s (is it stuck? see `ddnsd log` or logread)');
  t.match(callError('status', { service: 'x' }, new UbusError(UbusStatus.NOT_FOUND, 'nf')).message, /no service named 'x'/);
});
