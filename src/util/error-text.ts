/** The message of anything thrown: an Error's message, anything else as text. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * A file-system error as a person reads it: Node's `ENOENT: no such file or directory, open
 * '/x'` repeats the path the caller already names and leads with a code.
 */

const WHY: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  // What mkdir says when a file stands where the directory should be.
  EEXIST: 'a file is in the way of a directory on the path',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
};

export function fsErrorText(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined && WHY[code]) return WHY[code];
  return errorText(err);
}
