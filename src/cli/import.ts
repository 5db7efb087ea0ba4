import { closeSync, existsSync, fsyncSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Command } from 'commander';
import { ALREADY, appendSections, convertDdnsScripts, ImportResult } from '../config/import';
import { isSecretOption, secretOptions } from '../config/provider-fields';
import { errorsOf, formatProblem, loadConfig } from '../config/schema';
import { parseUci, ParseError, UciPackage } from '../config/uci';
import { formatSection, WritableSection } from '../config/uci-writer';
import { availableProviders, findProvider } from '../providers/registry';
import { fsErrorText } from '../util/error-text';
import { DEFAULT_CONFIG, readConfigFile } from './check';
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
  for (const s of r.imported) io.out(`${dryRun ? 'would import' : 'imported'} ${s.name}: provider ${s.provider}, ${s.enabled ? 'enabled' : 'disabled'}\n`);
  for (const s of r.skipped) io.out(`skipped ${s.name}: ${s.reason}\n`);
  for (const n of r.notes) io.out(`${n.section}${n.option ? `.${n.option}` : ''}: ${n.message}\n`);
}

/** After writing: what `ddnsd check` will say about the sections just added. */
function verify(text: string, added: readonly WritableSection[], io: CliIO): void {
  const cfg = loadConfig(text, { providers: availableProviders() });
  const names = new Set(added.map((s) => s.name));
  const mine = cfg.problems.filter((p) => names.has(p.section) || p.section === '');
  for (const p of mine) io.out(`check: ${formatProblem(p)}\n`);
  if (errorsOf(mine).length > 0) io.out('check: fix the problems above before enabling those services (`ddnsd check`)\n');
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
  // Services that exist already are fine to skip (import is safe to re-run); others need the user.
  const needsUser = result.skipped.filter((s) => !s.reason.startsWith(ALREADY));
  if (result.sections.length === 0) {
    io.out(`nothing to import into ${opts.to}\n`);
  } else if (opts.dryRun) {
    io.out(`dry run: would append to ${opts.to} (secrets shown as ***):\n${masked(result.sections)}`);
    // The preview should warn about what the real import would then report (a provider not installed, ...).
    verify(appendSections(target.text, result.sections), result.sections, io);
  } else {
    const text = appendSections(target.text, result.sections);
    writeAtomically(opts.to, text);
    io.out(`wrote ${opts.to}: ${result.imported.length} service${result.imported.length === 1 ? '' : 's'} added\n`);
    verify(text, result.sections, io);
  }
  if (needsUser.length > 0) throw new ExitError(EXIT.problem, `${needsUser.length} service${needsUser.length === 1 ? '' : 's'} not imported: ${needsUser.map((s) => s.name).join(', ')}`);
}

export function register(program: Command, io: CliIO): void {
  program
    .command('import')
    .description("convert ddns-scripts' /etc/config/ddns into ddnsd services (existing services are never overwritten; exit 1 when a service could not be imported)")
    .option('--from <file>', 'ddns-scripts configuration', DEFAULT_SOURCE)
    .option('--to <file>', 'ddnsd configuration to add the services to', DEFAULT_CONFIG)
    .option('--dry-run', 'print what would be added, write nothing')
    .option('--no-merge', 'keep IPv4 and IPv6 sections of the same record as two services')
    .action((opts: ImportOpts) => runImport(opts, io));
}
