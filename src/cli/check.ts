import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { errorsOf, formatProblem, loadConfig } from '../config/schema';
import { availableProviders } from '../providers/registry';
import { fsErrorText } from '../util/error-text';
import { EXIT, ExitError, type CliIO } from './io';
import { CONFIG } from './options';


/** A file's bytes, or an ExitError that says which file and why (no stack trace). */
export function readConfigFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ExitError(EXIT.problem, `ddnsd: cannot read ${path}: ${fsErrorText(err)}`);
  }
}

/**
 * `ddnsd check [--config FILE] [--json]`: validate the configuration as the daemon would load
 * it. Good: one summary line, exit 0 (warnings are printed but do not fail). Bad: one line per
 * problem, `SECTION.OPTION: message (line N)`, exit 1.
 */
export function validateConfigFile(path: string, json: boolean, io: CliIO): void {
  const cfg = loadConfig(readConfigFile(path), { providers: availableProviders() });
  const errors = errorsOf(cfg.problems);
  if (json) {
    io.out(
      JSON.stringify({
        ok: errors.length === 0,
        services: cfg.services.map((s) => ({ name: s.name, provider: s.provider, enabled: s.enabled, domains: s.domains, ip_version: s.ipVersion })),
        rejected: cfg.rejected.map((r) => r.name),
        notify: (cfg.notify ?? []).map((n) => ({ name: n.name, type: n.type, enabled: n.enabled })),
        rejected_notify: (cfg.rejectedNotify ?? []).map((r) => r.name),
        problems: cfg.problems.map((p) => ({ severity: p.severity ?? 'error', ...p })),
      }, null, 2) + '\n',
    );
  } else {
    for (const p of cfg.problems) io.out(formatProblem(p, path) + '\n');
  }
  if (errors.length > 0) {
    const names = [...cfg.rejected.map((r) => r.name), ...(cfg.rejectedNotify ?? []).map((r) => `notify ${r.name}`)];
    const skipped = names.length > 0 ? `; skipped: ${names.join(', ')}` : '';
    throw new ExitError(EXIT.problem, json ? '' : `${path}: ${errors.length} problem${errors.length === 1 ? '' : 's'}${skipped}`);
  }
  if (!json) {
    const enabled = cfg.services.filter((s) => s.enabled).length;
    const warnings = cfg.problems.length;
    const notify = cfg.notify?.length ?? 0;
    const notes = notify > 0 ? `, ${notify} notify section${notify === 1 ? '' : 's'}` : '';
    io.out(`${path}: OK, ${cfg.services.length} service${cfg.services.length === 1 ? '' : 's'} (${enabled} enabled)${notes}${warnings ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}\n`);
  }
}

export function register(program: Command, io: CliIO): void {
  program
    .command('check')
    .description('validate the configuration (exit 1 and one line per problem when it is not valid)')
    .option(...CONFIG)
    .option('--json', 'print the result as JSON')
    .action((opts: { config: string; json?: boolean }) => validateConfigFile(opts.config, opts.json ?? false, io));
}
