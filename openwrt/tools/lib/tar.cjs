'use strict';
// A GNU-format tar writer that produces the same bytes as
//   tar --format=gnu --numeric-owner --owner=0 --group=0 --sort=name --mtime=@EPOCH
// for regular files, symlinks and directories: what OpenWrt's ipkg-build runs. Names and
// link targets longer than 100 bytes get GNU's ././@LongLink records, as GNU tar writes them. Owners are always
// 0:0 with empty user/group names, every entry carries the same mtime, and the archive is
// padded to GNU tar's default record size, so equal inputs give equal bytes.

const BLOCK = 512;
const RECORD = 20 * BLOCK;

/** Write `value` as zero-padded octal of `width - 1` digits plus a NUL. */
function octal(buf, offset, width, value) {
  const digits = value.toString(8);
  if (digits.length > width - 1) throw new Error(`tar: value ${value} does not fit in ${width} bytes`);
  buf.write(digits.padStart(width - 1, '0') + '\0', offset, width, 'ascii');
}

const TYPES = { file: '0', symlink: '2', dir: '5' };

/** The checksum is computed with its own field counted as eight spaces. */
function seal(h) {
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return h;
}

/** A GNU ././@LongLink header (type 'L' for a name, 'K' for a link target) carrying `long`. */
function longLink(type, long) {
  const h = Buffer.alloc(BLOCK);
  h.write('././@LongLink', 0, 'ascii');
  octal(h, 100, 8, 0o644);
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  octal(h, 124, 12, long.length + 1);
  octal(h, 136, 12, 0);
  h.write(type, 156, 1, 'ascii');
  h.write('ustar  \0', 257, 8, 'ascii');
  return [seal(h), padded(Buffer.concat([long, Buffer.alloc(1)]))];
}

function padded(data) {
  const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
  return pad ? Buffer.concat([data, Buffer.alloc(pad)]) : data;
}

/**
 * The header blocks of one entry. `entry`: { name, mode, size, type: 'file' | 'dir' | 'symlink', target? }.
 * Returns the blocks to write before the entry's data.
 */
function header(entry, mtime) {
  const out = [];
  const name = Buffer.from(entry.name, 'utf8');
  const target = Buffer.from(entry.type === 'symlink' ? entry.target : '', 'utf8');
  if (!TYPES[entry.type]) throw new Error(`tar: unknown entry type ${entry.type} for ${entry.name}`);
  if (target.length > 100) out.push(...longLink('K', target));
  if (name.length > 100) out.push(...longLink('L', name));
  const h = Buffer.alloc(BLOCK);
  name.copy(h, 0, 0, Math.min(name.length, 100));
  octal(h, 100, 8, entry.mode & 0o7777);
  octal(h, 108, 8, 0); // uid
  octal(h, 116, 8, 0); // gid
  octal(h, 124, 12, entry.type === 'file' ? entry.size : 0);
  octal(h, 136, 12, mtime);
  h.write(TYPES[entry.type], 156, 1, 'ascii');
  target.copy(h, 157, 0, Math.min(target.length, 100));
  h.write('ustar  \0', 257, 8, 'ascii'); // GNU magic + version
  out.push(seal(h));
  return out;
}

/**
 * The members of a tar archive, entries in the order given, without the end marker, as a
 * list of Buffers: header blocks, each file's own data Buffer (so that callers can tell big
 * files by identity), padding.
 * entries: [{ name, mode, type: 'file', data: Buffer } | { name, mode, type: 'dir' } | { name, mode, type: 'symlink', target }]
 */
function memberParts(entries, mtime) {
  const parts = [];
  for (const e of entries) {
    const data = e.type === 'file' ? e.data : Buffer.alloc(0);
    parts.push(...header({ ...e, size: data.length }, mtime));
    if (data.length > 0) {
      parts.push(data);
      const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
      if (pad) parts.push(Buffer.alloc(pad));
    }
  }
  return parts;
}

/** The members as one Buffer. */
function members(entries, mtime) {
  return Buffer.concat(memberParts(entries, mtime));
}

/** The end of an archive whose members took `length` bytes: two zero blocks, then zeros up to GNU tar's 10240-byte record. */
function end(length) {
  const total = length + 2 * BLOCK;
  return Buffer.alloc(2 * BLOCK + ((RECORD - (total % RECORD)) % RECORD));
}

/** A whole tar archive of `entries` (see members()). */
function tar(entries, mtime) {
  const m = members(entries, mtime);
  return Buffer.concat([m, end(m.length)]);
}

module.exports = { tar, members, memberParts, end, header, BLOCK, RECORD };
