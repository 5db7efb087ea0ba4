// Issue 14, "Must show": a corpus of /etc/config/ddns files of the shapes users have (our own
// files, test/config/ddns-corpus/, one shape a file, described in its first line), imported with
// the real provider registry of a router without ddns-scripts' service list. Every enabled
// section either becomes a service check accepts, or is written disabled with its reasons,
// which the daemon's status then shows; no option vanishes without a note; the exit code says
// which happened; the dry run says the same as the real run; a second run adds nothing; no
// secret is printed.
import t from 'tap';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendSections, convertDdnsScripts } from '../../src/config/import';
import { loadConfig } from '../../src/config/schema';
import { parseUci } from '../../src/config/uci';
import { Daemon } from '../../src/engine/daemon';
import { PROVIDERS } from '../../src/providers/registry';
import { FakeClock } from '../../src/util/clock';
import { LogSink } from '../../src/util/log';
import { FakeBus } from '../engine/fake-bus';
import { cli, scratch } from '../cli/cli-support';

const DIR = join(__dirname, 'ddns-corpus');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.conf')).sort();

/** Where each source option may land; anything else must be named in a note. */
const MAPPED: Record<string, string[]> = {
  enabled: ['enabled'], service_name: ['provider'], update_url: ['update_url'], domain: ['domain'],
  lookup_host: ['domain', 'lookup_host'], username: ['username', 'api_token', 'key_name', 'domain'],
  password: ['password', 'api_token', 'key_secret'], use_ipv6: ['ip_version'], interface: ['interface'],
  ip_source: ['ip_source'], ip_network: ['ip_network'], ip_interface: ['ip_interface'], ip_url: ['ip_url'], ip_script: ['ip_script'],
  check_interval: ['check_interval'], check_unit: ['check_interval'], force_interval: ['force_interval'], force_unit: ['force_interval'],
  retry_interval: ['retry_interval'], retry_unit: ['retry_interval'], retry_count: ['retry_max_count'], retry_max_count: ['retry_max_count'],
  dns_server: ['dns_server'], proxy: ['proxy'], upd_privateip: ['upd_privateip'], ddns_loglines: ['log_lines'],
  force_ipversion: ['force_ipversion'], bind_network: ['bind_network'], use_https: ['use_https'],
  cacert: ['cacert', 'tls_insecure'], param_opt: ['param_opt', 'zone_id'],
};

/** The names the import gives sections (anonymous ones become service_N, as `nameFor` does). */
function importedNames(sections: ReturnType<typeof parseUci>['sections']): string[] {
  const taken = new Set(sections.map((s) => s.name));
  return sections.map((s) => {
    if (!s.anonymous) return s.name;
    let n = 1;
    while (taken.has(`service_${n}`)) n++;
    taken.add(`service_${n}`);
    return `service_${n}`;
  });
}

/** Every secret of the corpus: they carry the word Secret, or are the TSIG keys. */
function secrets(text: string): string[] {
  const values = [...text.matchAll(/option (?:password|proxy) '([^']+)'/g)].map((m) => m[1]);
  return values.map((v) => v.replace(/^.*:(.*)@.*$/, '$1'));
}

const totals = { files: 0, sections: 0, enabled: 0, services: 0, ready: 0, disabledWithReason: 0, enabledReady: 0, enabledDisabled: 0 };

for (const file of FILES) {
  t.test(file, async (t) => {
    const text = readFileSync(join(DIR, file), 'utf8');
    const src = parseUci(text, 'ddns');
    const r = convertDdnsScripts(text, { providers: PROVIDERS });
    const out = appendSections('', r.sections);
    const cfg = loadConfig(out, { providers: PROVIDERS });
    t.same(r.skipped, [], 'no section is skipped');
    totals.files++;

    // Every section: a service check accepts, or one written disabled with check's reasons.
    for (const s of r.imported) {
      const loaded = cfg.services.find((x) => x.name === s.name);
      const rejected = cfg.rejected.find((x) => x.name === s.name);
      if (s.problems.length === 0) {
        t.ok(loaded, `${s.name}: check accepts it`);
        t.equal(loaded?.enabled, s.sourceEnabled, `${s.name}: enabled as in ddns-scripts`);
      } else {
        t.ok(rejected, `${s.name}: check refuses it, and the import said so`);
        t.equal(s.enabled, false);
        t.match(out, new RegExp(`config service '${s.name}'\\n\\toption enabled '0'\\n`), `${s.name}: written disabled`);
      }
    }
    t.equal(cfg.rejected.length, r.imported.filter((s) => s.problems.length > 0).length, 'check refuses exactly the services the import reported');

    // No option vanishes: it lands under a mapped name, or a note names it.
    const merged = new Set(r.notes.filter((n) => /^merged into/.test(n.message)).map((n) => n.section));
    const names = importedNames(src.sections);
    for (const [i, s] of src.sections.entries()) {
      const name = names[i];
      const written = r.sections.find((x) => x.name === name || (s.type === 'ddns' && x.type === 'ddnsd'));
      for (const o of s.options) {
        const noted = r.notes.some((n) => n.section === name && n.option === o.name);
        const landed = written !== undefined && (MAPPED[o.name] ?? []).some((m) => written.options.some((x) => x.name === m));
        t.ok(noted || landed || merged.has(name), `${name}.${o.name} is imported or reported`);
      }
    }

    // The status of a daemon running the result shows each refused service's reasons.
    const broken = r.imported.filter((s) => s.problems.length > 0);
    if (broken.length > 0) {
      const clock = new FakeClock();
      const state = mkdtempSync(join(tmpdir(), 'ddnsd-corpus-'));
      const d = await Daemon.start({
        configPath: '/etc/config/ddnsd', stateDir: state, clock, sink: new LogSink({ write: () => {} }),
        providers: PROVIDERS, readConfig: async () => out, loadConfig,
        connectBus: async () => new FakeBus(),
        // No source finds an address, so no provider is ever called: this test sends nothing anywhere.
        sourceFactory: () => ({ kind: 'network', signalsChanges: true, detect: async (family) => ({ family, candidates: [], warnings: [], error: 'test: no address' }) }),
        verifierFactory: () => undefined,
        random: () => 0,
      });
      t.teardown(async () => {
        await d.stop();
        rmSync(state, { recursive: true, force: true });
      });
      for (const s of broken) {
        const st = d.status().services.find((x) => x.name === s.name);
        t.equal(st?.state, 'error', `${s.name}: status shows it refused`);
        for (const p of s.problems) t.ok(st?.error.includes(p.replace(/^[a-z_0-9]+: /, '')), `${s.name}: status shows "${p.slice(0, 60)}…"`);
      }
    }

    // The command: exit code, dry run = real run, idempotent, no secret printed.
    const f = scratch(t);
    const from = f('ddns', text);
    const to = f('ddnsd');
    const dry = await cli('import', '--from', from, '--to', to, '--dry-run');
    const real = await cli('import', '--from', from, '--to', to);
    const stranded = r.imported.some((s) => s.sourceEnabled && s.problems.length > 0);
    const want = stranded ? 5 : broken.length > 0 ? 4 : 0;
    t.equal(real.code, want, `exit ${want}`);
    t.equal(dry.code, real.code, 'the dry run exits as the real run');
    const report = (o: string, end: RegExp) => o.split(end)[0].replace(/^would import /gm, 'imported ');
    t.equal(report(dry.out, /^dry run: would append/m), report(real.out, /^wrote /m), 'the dry run reports what the real run does');
    t.equal(readFileSync(to, 'utf8'), out, 'the file holds what the conversion made');
    for (const secret of secrets(text)) {
      t.notMatch(dry.out + dry.err + real.out + real.err, secret, 'no secret printed');
    }
    const again = await cli('import', '--from', from, '--to', to);
    t.equal(again.code, 0, 'a second run is fine');
    t.equal(readFileSync(to, 'utf8'), out, 'a second run adds nothing');
    const check = await cli('check', '--config', to);
    t.equal(check.code, broken.length > 0 ? 1 : 0, 'check agrees with the import');

    totals.sections += src.sections.filter((s) => s.type === 'service').length;
    totals.enabled += src.sections.filter((s) => s.type === 'service' && s.options.some((o) => o.name === 'enabled' && o.value === '1')).length;
    totals.services += r.imported.length;
    totals.ready += r.imported.length - broken.length;
    totals.disabledWithReason += broken.length;
    totals.enabledReady += r.imported.filter((s) => s.sourceEnabled && s.problems.length === 0).length;
    totals.enabledDisabled += r.imported.filter((s) => s.sourceEnabled && s.problems.length > 0).length;
  });
}

t.test('corpus numbers', async (t) => {
  t.comment(JSON.stringify(totals));
  t.equal(totals.files, FILES.length);
  t.equal(totals.ready + totals.disabledWithReason, totals.services, 'every service is either ready or disabled with its reasons');
});
