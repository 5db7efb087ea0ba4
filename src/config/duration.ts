/**
 * Durations in the config: `30s`, `10m`, `72h`, `3d`, or a plain number counted in the unit
 * that ddns-scripts' `*_unit` options name (`seconds`, `minutes`, `hours`, `days`).
 */

export const DURATION_UNITS = ['seconds', 'minutes', 'hours', 'days'] as const;
export type DurationUnit = (typeof DURATION_UNITS)[number];

const MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const UNIT_SUFFIX: Record<DurationUnit, string> = { seconds: 's', minutes: 'm', hours: 'h', days: 'd' };

/** What a duration may look like, for error messages: a plain number counts in `unit`, set by the option `unitOption` when there is one. */
export function durationHelp(unit: DurationUnit = 'seconds', unitOption?: string): string {
  const plain = `a plain number, counted in ${unit}${unitOption ? ` (option ${unitOption})` : ''}`;
  return `a whole number with s, m, h or d (30s, 10m, 72h, 3d), or ${plain}`;
}

export function parseUnit(text: string): DurationUnit | undefined {
  return (DURATION_UNITS as readonly string[]).includes(text) ? (text as DurationUnit) : undefined;
}

/** A duration's shape: the number and the optional suffix (rules.ts publishes it to LuCI). */
export const DURATION_PATTERN = '^\\s*(\\d{1,9})\\s*([smhd]?)\\s*$';
const DURATION = new RegExp(DURATION_PATTERN);

/** Milliseconds, or undefined when `text` is not a duration. */
export function parseDuration(text: string, unit: DurationUnit = 'seconds'): number | undefined {
  const m = DURATION.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * MS[m[2] || UNIT_SUFFIX[unit]];
}

/** The shortest exact form: 259200000 → `72h`, 90000 → `90s`, 0 → `0s`. */
export function formatDuration(ms: number): string {
  for (const suffix of ['d', 'h', 'm'] as const) {
    if (ms > 0 && ms % MS[suffix] === 0) return `${ms / MS[suffix]}${suffix}`;
  }
  return `${Math.round(ms / 1000)}s`;
}
