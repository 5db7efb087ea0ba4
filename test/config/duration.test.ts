import t from 'tap';
import { formatDuration, parseDuration, parseUnit } from '../../src/config/duration';

t.test('suffixed durations', async (t) => {
  const table: [string, number][] = [
    ['30s', 30_000],
    ['10m', 600_000],
    ['72h', 259_200_000],
    ['3d', 259_200_000],
    ['0s', 0],
    [' 5m ', 300_000],
    ['5 m', 300_000],
  ];
  for (const [text, ms] of table) t.equal(parseDuration(text), ms, text);
});

t.test('plain numbers take the unit', async (t) => {
  t.equal(parseDuration('45'), 45_000, 'default seconds');
  t.equal(parseDuration('10', 'minutes'), 600_000);
  t.equal(parseDuration('72', 'hours'), 259_200_000);
  t.equal(parseDuration('3', 'days'), 259_200_000);
  t.equal(parseDuration('30s', 'hours'), 30_000, 'a suffix wins over the unit');
});

t.test('not durations', async (t) => {
  for (const bad of ['', 's', '-5m', '1.5h', '10x', '10 minutes', '1h30m', '0x10', '1e3', '9999999999']) {
    t.equal(parseDuration(bad), undefined, JSON.stringify(bad));
  }
});

t.test('units', async (t) => {
  t.equal(parseUnit('minutes'), 'minutes');
  t.equal(parseUnit('minute'), undefined);
  t.equal(parseUnit('Minutes'), undefined);
});

t.test('format', async (t) => {
  t.equal(formatDuration(259_200_000), '3d');
  t.equal(formatDuration(7_200_000), '2h');
  t.equal(formatDuration(600_000), '10m');
  t.equal(formatDuration(90_000), '90s');
  t.equal(formatDuration(0), '0s');
  for (const text of ['30s', '10m', '72h', '3d', '61s', '25h']) t.equal(parseDuration(formatDuration(parseDuration(text)!)), parseDuration(text), text);
});
