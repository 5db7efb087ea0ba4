'use strict';
// Deflate streams assembled from separately compressed pieces, so that a big file (the
// ~100 MB executable) is compressed once and its compressed bytes reused in every package
// that carries it: the .ipk's data.tar.gz and the .apk's DATA blocks of every arch string.
//
// A raw deflate stream may be cut at a full flush: the compressor ends the current block,
// byte-aligns with an empty stored block and forgets its history, so what follows is
// decoded without reference to what came before. A piece compressed on its own up to a full
// flush can therefore be placed anywhere in a stream; the stream ends with a final empty
// block. gzip's trailer needs the CRC-32 and length of the whole, which chain across pieces.
// Pieces are compressed on libuv's thread pool (zlib's async calls), so several run at once.

const zlib = require('node:zlib');
const { promisify } = require('node:util');

const deflateRaw = promisify(zlib.deflateRaw);
const LEVEL = 6; // gzip's and `gzip -n`'s default; 9 costs 2.5x the time for 0.35% on the executable
const BIG = 1 << 20; // files from 1 MiB are compressed once and shared
const cache = new WeakMap(); // file contents (Buffer) → Promise<piece>

/** A compressed piece: { length, crc, deflated } (deflated ends in a full flush). */
function piece(buf, level = LEVEL) {
  return deflateRaw(buf, { level, finishFlush: zlib.constants.Z_FULL_FLUSH }).then((deflated) => ({ length: buf.length, crc: zlib.crc32(buf), deflated }));
}

/** The shared piece of a big file's contents (compressed once per Buffer). */
function shared(buf) {
  let p = cache.get(buf);
  if (!p) {
    p = piece(buf);
    cache.set(buf, p);
  }
  return p;
}

/**
 * A raw deflate stream of `parts` (Buffers, in order): Buffers of BIG bytes or more come
 * from the shared cache, the runs of smaller ones between them are compressed together.
 * Resolves to { length, crc, deflated } of the whole, ending with the final block.
 */
async function stream(parts, level = LEVEL) {
  const pieces = [];
  let run = [];
  const flush = () => {
    if (run.length) pieces.push(piece(Buffer.concat(run), level));
    run = [];
  };
  for (const p of parts) {
    if (p.length >= BIG) {
      flush();
      pieces.push(shared(p));
    } else if (p.length) run.push(p);
  }
  flush();
  const done = await Promise.all(pieces);
  const length = done.reduce((n, p) => n + p.length, 0);
  // The CRC of the whole, over the uncompressed parts (~10 ms per 100 MB).
  const crc = parts.reduce((c, p) => zlib.crc32(p, c), 0);
  const final = zlib.deflateRawSync(Buffer.alloc(0));
  return { length, crc, deflated: Buffer.concat([...done.map((p) => p.deflated), final]) };
}

/** gzip (no name, no time, OS Unix: what `gzip -n` writes) around a stream(). */
function gzipOf(s) {
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(s.crc >>> 0, 0);
  trailer.writeUInt32LE(s.length % 2 ** 32, 4);
  return Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), s.deflated, trailer]);
}

module.exports = { piece, stream, gzipOf, LEVEL };
