import { isIP, isIPv6 } from 'node:net';

/** Value rules shared by the schema and the import; each answers yes or no, the caller explains. */

const TRUE = ['1', 'yes', 'on', 'true', 'enabled'];
const FALSE = ['0', 'no', 'off', 'false', 'disabled'];
export const BOOL_HELP = '1 or 0 (also yes/no, on/off, true/false, enabled/disabled)';

/** UCI's boolean spellings (as in OpenWrt's config_get_bool). */
export function parseBool(text: string): boolean | undefined {
  const t = text.toLowerCase();
  return TRUE.includes(t) ? true : FALSE.includes(t) ? false : undefined;
}

/** A whole number as the config writes it (rules.ts publishes these patterns to LuCI). */
export const COUNT_PATTERN = '^\\d{1,9}$';
/** One label of a host name. */
export const HOST_LABEL_PATTERN = '^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$';
/** A netifd logical network (its UCI section name in /etc/config/network). */
export const NETWORK_PATTERN = '^[A-Za-z0-9_]{1,64}$';
/** A Linux device (at most 15 bytes, no `/` or whitespace, not `.` or `..`), or a netifd `@alias`. */
export const DEVICE_PATTERN = '^(?!\\.\\.?$)@?[^\\s/]{1,15}$';

const COUNT = new RegExp(COUNT_PATTERN);
const LABEL = new RegExp(HOST_LABEL_PATTERN);
const NETWORK = new RegExp(NETWORK_PATTERN);
const DEVICE = new RegExp(DEVICE_PATTERN);

export function parseCount(text: string): number | undefined {
  return COUNT.test(text) ? Number(text) : undefined;
}

/** A DNS name with at least two labels; `*` allowed as the first label. No trailing dot. */
export function isFqdn(text: string): boolean {
  if (text.length > 253) return false;
  const labels = text.split('.');
  if (labels.length < 2) return false;
  return labels.every((l, i) => (i === 0 && l === '*') || LABEL.test(l));
}

/** A host name or address (one label is fine: `localhost`, a LAN resolver). */
export function isHost(text: string): boolean {
  if (isIP(text)) return true;
  return text.length <= 253 && text.split('.').every((l) => LABEL.test(l));
}

/** `host`, `host:port`, `v4:port` or `[v6]:port`; a bare IPv6 address too. */
export function isHostPort(text: string): boolean {
  if (isIPv6(text)) return true;
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(text);
  if (!m) return false;
  if (m[3] !== undefined && (Number(m[3]) < 1 || Number(m[3]) > 65535)) return false;
  return m[1] !== undefined ? isIPv6(m[1]) : isHost(m[2]);
}

export function isNetworkName(text: string): boolean {
  return NETWORK.test(text);
}

export function isDeviceName(text: string): boolean {
  return DEVICE.test(text);
}

export function isHttpUrl(text: string): boolean {
  // URL() would quietly drop a newline or tab and encode a space: a value with those is a paste gone wrong, not a URL.
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f]/.test(text)) return false;
  // URL() also takes `http:host` and `http:///host`; providers' clients want the two slashes and a host after them.
  if (!/^https?:\/\/[^/]/i.test(text)) return false;
  try {
    const u = new URL(text);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}

/** `[user:pass@]host:port`, IPv6 hosts in brackets (ddns-scripts' proxy form). */
export function isProxy(text: string): boolean {
  const at = text.lastIndexOf('@');
  const hostPort = at >= 0 ? text.slice(at + 1) : text;
  return /:\d{1,5}$/.test(hostPort) && isHostPort(hostPort) && !/\s/.test(text);
}

/** An IPv6 host part to put behind a delegated prefix: `::1234`, `::a:b:c:d`. */
export function isIpv6Suffix(text: string): boolean {
  return text.startsWith('::') && isIPv6(text);
}
