'use strict';
// A GNU-format tar writer that produces the same bytes as
//   tar --format=gnu --numeric-owner --owner=0 --group=0 --sort=name --mtime=@EPOCH
// for regular files and directories: what OpenWrt's ipkg-build runs. Owners are always
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

/**
 * One 512-byte header. `entry`: { name, mode, size, type: 'file' | 'dir' }.
 * Names longer than 99 bytes would need GNU long-name records, which no package here has.
 */
function header(entry, mtime) {
  const name = Buffer.from(entry.name, 'utf8');
  if (name.length > 99) throw new Error(`tar: name too long for a plain header: ${entry.name}`);
  const h = Buffer.alloc(BLOCK);
  name.copy(h, 0);
  octal(h, 100, 8, entry.mode & 0o7777);
  octal(h, 108, 8, 0); // uid
  octal(h, 116, 8, 0); // gid
  octal(h, 124, 12, entry.type === 'dir' ? 0 : entry.size);
  octal(h, 136, 12, mtime);
  h.write(entry.type === 'dir' ? '5' : '0', 156, 1, 'ascii');
  h.write('ustar  \0', 257, 8, 'ascii'); // GNU magic + version
  // The checksum is computed with its own field counted as eight spaces.
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return h;
}

/**
 * Build a tar archive from entries in the order given.
 * entries: [{ name, mode, type: 'file', data: Buffer } | { name, mode, type: 'dir' }]
 */
function tar(entries, mtime) {
  const parts = [];
  let length = 0;
  const push = (b) => {
    parts.push(b);
    length += b.length;
  };
  for (const e of entries) {
    const data = e.type === 'dir' ? Buffer.alloc(0) : e.data;
    push(header({ ...e, size: data.length }, mtime));
    if (data.length > 0) {
      push(data);
      const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
      if (pad) push(Buffer.alloc(pad));
    }
  }
  push(Buffer.alloc(2 * BLOCK)); // end-of-archive marker
  const tail = (RECORD - (length % RECORD)) % RECORD;
  if (tail) push(Buffer.alloc(tail));
  return Buffer.concat(parts, length);
}

module.exports = { tar, header, BLOCK, RECORD };
