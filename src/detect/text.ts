/** Small text helpers for the sources' error sentences. */

/** A short, printable, quoted excerpt of what a server or script sent. */
export function quote(body: string, max = 40): string {
  const flat = body.replace(/\s+/g, ' ').trim().replace(/[^\x20-\x7e]/g, '?');
  return JSON.stringify(flat.length > max ? `${flat.slice(0, max)}…` : flat);
}

/** The message of anything thrown. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
