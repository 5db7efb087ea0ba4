'use strict';
// Stand-in for `jshn -w`: prints the object that jshn.sh (the stand-in) collected in the
// environment as _JSHN_T<n>/_JSHN_K<n>/_JSHN_V<n>, n = 1.._JSHN_N, as one line of JSON.
const n = Number(process.env._JSHN_N || 0);
const obj = {};
for (let i = 1; i <= n; i++) {
  const type = process.env[`_JSHN_T${i}`];
  const key = process.env[`_JSHN_K${i}`];
  const value = process.env[`_JSHN_V${i}`] ?? '';
  if (type === 'int') obj[key] = parseInt(value, 10) || 0;
  else if (type === 'boolean') obj[key] = value === '1' || value === 'true';
  else obj[key] = value;
}
process.stdout.write(JSON.stringify(obj) + '\n');
