import { oneLine } from '../../util/log';
import type { OptionProblem } from '../types';

/** The one place where text a provider chose is cut to fit a message. */

/**
 * Text a server chose, fit for one line of a message: whitespace collapsed, control
 * characters (escape sequences, NUL) shown as `?`, at most `max` characters.
 */
export function clip(text: string, max = 300): string {
  // Only the head can be shown: do not walk a whole megabyte to show 80 characters.
  const head = text.length > max * 4 ? text.slice(0, max * 4) : text;
  const one = oneLine(head.replace(/\s+/g, ' ')).trim();
  return one.length > max || head !== text ? one.slice(0, max) + '…' : one;
}

/** The start of a body, on one line, for a message. */
export function snippet(text: string, max = 80): string {
  // An HTML error page says it best in its title (nginx: "502 Bad Gateway").
  const title = /<title>([^<]*)<\/title>/i.exec(text.slice(0, 64 * 1024))?.[1];
  // Tag stripping is quadratic on a run of `<` (1 MB of them: minutes), so only the head.
  const head = title ?? (text.length > 4096 ? text.slice(0, 4096) + '…' : text);
  return clip(head.replace(/<[^>]*>/g, ' '), max) || '(empty)';
}

/** A provider's option problems as one sentence, for a service that did not come through config/ (made by hand in a test). */
export function problemsText(title: string, problems: readonly OptionProblem[]): string {
  return `${title}: ${problems.map((p) => p.message).join('; ')}`;
}
