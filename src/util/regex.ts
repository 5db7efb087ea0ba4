import type * as vm from 'node:vm';

/**
 * Regular expressions from the configuration (`ip_regex`, a custom provider's `answer`) run
 * against text a server sent. A pattern that backtracks catastrophically (`(a+)+$`) on a
 * hostile or merely unlucky reply would hold the one JavaScript thread for minutes to
 * forever: no check, no ubus reply, no log line. V8 cannot bound a RegExp by itself, but a
 * vm timeout interrupts any code, a match included, so every such match runs inside one.
 * A legitimate pattern over the few KiB these replies are allowed takes microseconds even
 * on a slow router; the budget is three orders of magnitude above that.
 */
export const REGEX_BUDGET_MS = 250;

export class RegexTimeout extends Error {
  constructor(readonly budgetMs: number) {
    super(`the regular expression took longer than ${budgetMs} ms on this text and was stopped`);
    this.name = 'RegexTimeout';
  }
}

// Loaded on first use (see test/cli/modules.test.ts): only a configured pattern needs it.
const vmModule = (): typeof vm => require('node:vm') as typeof vm;

let shared: vm.Context | undefined;

/** One context for the whole process: creating one costs far more than a match. */
function context(): vm.Context {
  if (!shared) {
    shared = vmModule().createContext(Object.create(null) as object);
    shared.exec = (re: RegExp, text: string) => re.exec(text);
  }
  return shared;
}

/** `re.exec(text)`, stopped with RegexTimeout after `budgetMs`. */
export function boundedExec(re: RegExp, text: string, budgetMs = REGEX_BUDGET_MS): RegExpExecArray | null {
  const ctx = context();
  ctx.re = re;
  ctx.text = text;
  try {
    return vmModule().runInContext('exec(re, text)', ctx, { timeout: budgetMs }) as RegExpExecArray | null;
  } catch (e) {
    if ((e as NodeJS.ErrnoException)?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw new RegexTimeout(budgetMs);
    throw e;
  } finally {
    // Do not keep a reply alive between matches.
    ctx.re = undefined;
    ctx.text = undefined;
  }
}
