// The packer's tar writer against GNU tar itself, run with ipkg-build's options on the same
// tree (files, a symlink, directories of other modes, names and a link target longer than
// tar's 100-byte fields): the archives must be identical byte for byte.
import t from 'tap';
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO, ok } from '../support/openwrt/helpers';

type Entry = { name: string; mode: number; type: 'file' | 'dir' | 'symlink'; data?: Buffer; target?: string };
const { tar } = require(join(REPO, 'openwrt/tools/lib/tar.cjs')) as { tar: (e: Entry[], mtime: number) => Buffer };
const { Tree } = require(join(REPO, 'openwrt/tools/lib/tree.cjs')) as {
  Tree: new () => {
    add(p: string, mode: number, data: Buffer): unknown;
    symlink(p: string, target: string): unknown;
    dir(p: string, mode: number): unknown;
    addDir(dir: string): unknown;
    entries(): Entry[];
  };
};

const FILES: [string, number, Buffer][] = [
  ['/usr/bin/ddnsd', 0o755, Buffer.alloc(1500, 0xab)],
  ['/etc/config/ddnsd', 0o600, Buffer.from("config ddnsd 'global'\n")],
  ['/etc/init.d/ddnsd', 0o755, Buffer.from('#!/bin/sh /etc/rc.common\n')],
  ['/etc/hotplug.d/iface/95-ddnsd', 0o644, Buffer.from('# hotplug\n')],
  ['/etc/empty-file', 0o644, Buffer.alloc(0)],
  ['/etc/a-B_c.9', 0o644, Buffer.alloc(512, 1)], // exactly one block: no padding
  ['/www/luci-static/resources/view/ddnsd/status.js', 0o644, Buffer.from("'use strict';\n")],
  [`/usr/share/doc/ddnsd/${'d'.repeat(70)}/${'n'.repeat(40)}.txt`, 0o644, Buffer.from('long name\n')],
];
const LINKS: [string, string][] = [
  ['/usr/sbin/ddnsd', '/usr/lib/ddnsd/ddnsd'],
  ['/usr/lib/ddnsd/far', '/' + 't'.repeat(120)],
];

t.test('tar.cjs writes what `tar --format=gnu --sort=name --numeric-owner` writes', async (t) => {
  const dir = t.testdir();
  const root = join(dir, 'root');
  const tree = new Tree();
  for (const [p, mode, data] of FILES) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), data);
    chmodSync(join(root, p), mode);
    tree.add(p, mode, data);
  }
  ok('sh', ['-c', `find "$1" -type d -exec chmod 0755 {} +`, 'sh', root]);
  for (const [p, target] of LINKS) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    symlinkSync(target, join(root, p));
    tree.symlink(p, target);
  }
  chmodSync(join(root, 'etc/config'), 0o700);
  tree.dir('/etc/config', 0o700);
  const mtime = 1700000000;
  ok('tar', ['--format=gnu', '--numeric-owner', '--owner=0', '--group=0', '--sort=name', `--mtime=@${mtime}`, '-C', root, '-cf', join(dir, 'gnu.tar'), '.']);
  const gnu = readFileSync(join(dir, 'gnu.tar'));
  const ours = tar(tree.entries(), mtime);
  t.equal(ours.length, gnu.length, 'same length');
  t.ok(ours.equals(gnu), 'same bytes');
  const read = new Tree();
  read.addDir(root);
  t.ok(tar(read.entries(), mtime).equals(gnu), 'the same tree read from disk (modes, symlinks) gives the same bytes');
});

t.test('tree rejects unclean paths and duplicates', async (t) => {
  t.throws(() => new Tree().add('etc/x', 0o644, Buffer.alloc(0)), /not a clean absolute file path/);
  t.throws(() => new Tree().add('/etc/../x', 0o644, Buffer.alloc(0)), /not a clean absolute file path/);
  const tr = new Tree();
  tr.add('/a', 0o644, Buffer.alloc(0));
  t.throws(() => tr.add('/a', 0o644, Buffer.alloc(0)), /added twice/);
  t.throws(() => tr.add('/a/b', 0o644, Buffer.alloc(0)), /is inside file \/a/);
  t.throws(() => tar([{ name: './x', mode: 0o644, type: 'fifo' as 'file' }], 0), /unknown entry type fifo/);
});
