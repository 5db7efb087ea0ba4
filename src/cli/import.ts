import { closeSync, existsSync, fsyncSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Command } from 'commander';
import { appendSections, convertDdnsScripts, ImportResult } from '../config/import';
import { isSecretOption, secretOptions } from '../config/provider-fields';
import { parseUci, ParseError, UciPackage } from '../config/uci';
import { formatSection, WritableSection } from '../config/uci-writer';
import { availableProviders, findProvider } from '../providers/registry';
import { fsErrorText } from '../util/error-text';
import { readConfigFile } from './check';
import { DEFAULTS } from '../engine/wiring';
import { EXIT, ExitError, type CliIO } from './io';

export const DEFAULT_SOURCE = '/etc/config/ddns';

interface ImportOpts {
  from: string;
  to: string;
  dryRun?: boolean;
  merge: boolean;
}

function parseTarget(path: string): { text: string; pkg?: UciPackage } {
  if (!existsSync(path)) return { text: '' };
  const text = readConfigFile(path).toString('utf8');
  try {
    return { text, pkg: parseUci(text, 'ddnsd') };
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
    throw new ExitError(EXIT.problem, `ddnsd: ${path} is not valid UCI (${err.message}); fix it first, nothing was written`);
  }
}

/** Write next to the target, flush, then rename over it: a crash leaves the old file or the new one. */
function writeAtomically(path: string, text: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.import-${process.pid}`);
  const mode = existsSync(path) ? statSync(path).mode & 0o777 : 0o600;
  try {
    const fd = openSync(tmp, 'w', mode);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    if (existsSync(tmp)) unlinkSync(tmp);
    throw new ExitError(EXIT.problem, `ddnsd: cannot write ${path}: ${fsErrorText(err)}`);
  }
}

/** For --dry-run: the sections with secret values masked (the text is meant for a screen). */
function masked(sections: readonly WritableSection[]): string {
  return sections
    .map((s) => {
      const provider = s.options.find((o) => o.name === 'provider')?.value;
      const names = secretOptions(typeof provider === 'string' ? findProvider(provider, availableProviders()) : undefined);
      const options = s.options.map((o) => (isSecretOption(names, o.name) ? { name: o.name, value: '***' } : o));
      return formatSection({ ...s, options });
    })
    .join('');
}

function report(r: ImportResult, io: CliIO, dryRun: boolean): void {
  const verb = dryRun ? 'would import' : 'imported';
  for (const s of r.imported) {
    if (s.problems.length === 0) {
      io.out(`${verb} ${s.name}: provider ${s.provider || '(none)'}, ${s.enabled ? 'enabled' : 'disabled'}\n`);
      continue;
    }
    const was = s.sourceEnabled ? 'enabled in ddns-scripts, imported disabled' : 'disabled';
    io.out(`${verb} ${s.name}: provider ${s.provider || '(none)'}, ${was} until fixed; check refuses it:\n`);
    for (const p of s.problems) io.out(`  ${s.name}.${p}\n`);
  }
  for (const s of r.skipped) io.out(`skipped ${s.name}: ${s.reason}\n`);
  for (const n of r.notes) io.out(`${n.section}${n.option ? `.${n.option}` : ''}: ${n.message}\n`);
}

/** What the run means, and the exit code that says it (documented in `ddnsd import --help`). */
function summary(r: ImportResult, to: string, dryRun: boolean): { line: string; code: number } {
  const n = r.imported.length;
  const ready = r.imported.filter((s) => s.problems.length === 0);
  const broken = r.imported.filter((s) => s.problems.length > 0);
  const stranded = broken.filter((s) => s.sourceEnabled);
  const head = `${dryRun ? `dry run: would add to ${to}:` : `wrote ${to}:`} ${n} service${n === 1 ? '' : 's'}${dryRun ? '' : ' added'}`;
  const counts = `${ready.length} ready (${ready.filter((s) => s.enabled).length} enabled), ${broken.length} disabled until fixed`;
  if (stranded.length > 0) {
    return {
      line: `${head}: ${counts}; ddns-scripts ran ${stranded.map((s) => s.name).join(', ')}, which need fixing first: keep ddns-scripts running until then (\`ddnsd check\`, \`ddnsd status\`)`,
      code: EXIT.stranded,
    };
  }
  if (broken.length > 0) {
    return { line: `${head}: ${counts} (${broken.map((s) => s.name).join(', ')}, disabled in ddns-scripts too); every service ddns-scripts ran is ready`, code: EXIT.attention };
  }
  return { line: `${head}: ${counts}`, code: EXIT.ok };
}

export function runImport(opts: ImportOpts, io: CliIO): void {
  const source = readConfigFile(opts.from);
  const target = parseTarget(opts.to);
  let result: ImportResult;
  try {
    result = convertDdnsScripts(source, { providers: availableProviders(), existing: target.pkg, mergeDualStack: opts.merge });
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
    throw new ExitError(EXIT.problem, `ddnsd: ${opts.from} is not valid UCI (${err.message}); nothing was imported`);
  }
  report(result, io, opts.dryRun === true);
  if (result.sections.length === 0) {
    io.out(`nothing to import into ${opts.to}\n`);
    return;
  }
  if (opts.dryRun) {
    io.out(`dry run: would append to ${opts.to} (secrets shown as ***):\n${masked(result.sections)}`);
  } else {
    writeAtomically(opts.to, appendSections(target.text, result.sections));
  }
  // Existing sections of the same name are fine to skip (import is safe to re-run); what was written decides.
  const { line, code } = summary(result, opts.to, opts.dryRun === true);
  io.out(`${line}\n`);
  if (code !== EXIT.ok) throw new ExitError(code, '');
}

export function register(program: Command, io: CliIO): void {
  program
    .command('import')
    .description(
      "convert ddns-scripts' /etc/config/ddns into ddnsd services (existing services are never overwritten). A service `ddnsd check` " +
        'would refuse is written disabled with the reasons. Exit 0: every service is ready; 4: every service ddns-scripts ran is ready, ' +
        'some it did not run need fixing; 5: some services ddns-scripts ran need fixing (keep ddns-scripts until then); 1: nothing imported (error)',
    )
    .option('--from <file>', 'ddns-scripts configuration', DEFAULT_SOURCE)
    .option('--to <file>', 'ddnsd configuration to add the services to', DEFAULTS.config)
    .option('--dry-run', 'print what would be added, write nothing')
    .option('--no-merge', 'keep IPv4 and IPv6 sections of the same record as two services')
    .action((opts: ImportOpts) => runImport(opts, io));
}
