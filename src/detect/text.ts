/** Small text helpers for the sources' error sentences. */

/** A short, printable, quoted excerpt of what a server or script sent. */
export function quote(body: string, max = 40): string {
  const flat = body.replace(/\s+/g, ' ').trim().replace(/[^\x20-\x7e]/g, '?');
  return JSON.stringify(flat.length > max ? `${flat.slice(0, max)}…` : flat);
}

/**
 * A URL as messages show it: no `user:password@`, and `?…` for the query, which for some echo
 * services carries an API token. `ip_url` is not a secret option, but what it may hold is.
 */
export function shownUrl(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password && !u.search) return url; // as the user wrote it
    return `${u.protocol}//${u.host}${u.pathname}${u.search ? '?…' : ''}`;
  } catch {
    return '(invalid URL)';
  }
}
