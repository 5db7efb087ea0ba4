'use strict';
// What goes into each package, whatever its format: the file tree with modes, the fields,
// conffiles and maintainer scripts. lib/ipk.cjs and lib/apk.cjs only encode it. The SDK
// Makefiles (openwrt/Makefile, luci-app/Makefile) install the same files.

const fs = require('node:fs');
const path = require('node:path');
const { Tree } = require('./tree.cjs');

const REPO = path.resolve(__dirname, '..', '..', '..');
const FILES = path.join(REPO, 'openwrt', 'files');
const LUCI = path.join(REPO, 'luci-app');

const read = (p) => fs.readFileSync(p);

/** The files of openwrt/files that every ddnsd package carries, by router path. */
const DDNSD_FILES = [
  ['/etc/init.d/ddnsd', 0o755, 'ddnsd.init'],
  ['/etc/hotplug.d/iface/95-ddnsd', 0o644, 'ddnsd.hotplug'],
  // 0600 like OpenWrt's INSTALL_CONF: the file holds passwords and tokens.
  ['/etc/config/ddnsd', 0o600, 'ddnsd.config'],
  ['/etc/uci-defaults/95-ddnsd', 0o755, 'ddnsd.uci-defaults'],
  // The shipped default, so the uci-defaults script can tell an untouched config.
  ['/usr/share/ddnsd/ddnsd.config', 0o644, 'ddnsd.config'],
];

/**
 * End of security support of Node.js release lines (nodejs/Release schedule), so a package
 * can say that the runtime it carries no longer gets fixes. Compared with the build's fixed
 * time, so the text is reproducible.
 */
const NODE_EOL = { 18: '2025-04-30', 20: '2026-04-30', 22: '2027-04-30', 24: '2028-04-30' };

/** SPDX licence of the Debian source packages whose files a staging tree bundles. */
function debianLicence(source) {
  if (source === 'glibc') return 'LGPL-2.1-or-later';
  if (/^gcc-[0-9]+$/.test(source)) return 'GPL-3.0-or-later WITH GCC-exception-3.1';
  throw new Error(`no licence known for Debian source package "${source}": add it to debianLicence() in openwrt/tools/lib/packages.cjs`);
}

/** The package licence: ddnsd and Node are MIT; plus what the bundled Debian libraries are under (sorted). */
function licence(manifest) {
  const debian = [...new Set(manifest.debian.map((d) => debianLicence(d.source)))].sort();
  return ['MIT', ...debian].join(' AND ');
}

/** The runtime sentence of the Description, with the experimental label for armv7. */
function runtimeText(manifest, isa, mtime) {
  const v = manifest.node_version;
  const eol = NODE_EOL[Number(v.split('.')[0])];
  const dead = eol !== undefined && mtime * 1000 >= Date.parse(`${eol}T00:00:00Z`);
  const node = `Node.js ${v}${dead ? `, which no longer gets security fixes (end of life ${eol})` : ''}`;
  const libs = manifest.debian.length
    ? `glibc and GCC runtime libraries from Debian (${[...new Set(manifest.debian.map((d) => `${d.source} ${d.version}`))].join(', ')})`
    : 'no bundled libraries';
  if (manifest.experimental) {
    return `EXPERIMENTAL ${isa} build (needs a CPU with NEON and VFPv3-D32). Runs ${node}; ${libs}.`;
  }
  return `Carries its own runtime: ${node}; ${libs}.`;
}

/**
 * The ddnsd package of one ISA, without its Architecture (the same for every arch string of
 * the ISA; only that field differs). `stage` is an entry of inputs.stages().
 */
function ddnsdPackage(version, stage, mtime) {
  const tree = new Tree();
  for (const [rel, node] of stage.tree.nodes) tree.put('/' + rel, node);
  for (const [p, mode, src] of DDNSD_FILES) tree.add(p, mode, read(path.join(FILES, src)));
  return {
    fields: {
      Package: 'ddnsd',
      Version: version,
      Depends: 'ubus, jshn',
      Source: 'openwrt',
      License: licence(stage.manifest),
      Section: 'net',
      Description:
        'Event-driven Dynamic DNS client: updates DNS records on WAN events (hotplug, netifd),\n' +
        'many providers, verification, status over ubus for LuCI.\n' +
        runtimeText(stage.manifest, stage.isa, mtime),
    },
    tree,
    conffiles: conffiles(),
    scripts: {
      postinst: read(path.join(FILES, 'ddnsd.postinst')),
      prerm: read(path.join(FILES, 'ddnsd.prerm')),
    },
  };
}

function conffiles() {
  return read(path.join(FILES, 'conffiles')).toString('utf8').split('\n').filter(Boolean);
}

/** luci-app-ddnsd (arch all): htdocs/* → /www, root/* → /, as luci.mk installs them. */
function luciPackage(version) {
  const tree = new Tree();
  addFiles(tree, path.join(LUCI, 'htdocs'), '/www');
  addFiles(tree, path.join(LUCI, 'root'), '');
  return {
    fields: {
      Package: 'luci-app-ddnsd',
      Version: version,
      Depends: 'luci-base, ddnsd',
      Source: 'luci-app',
      License: 'MIT',
      Section: 'luci',
      Architecture: 'all',
      Description: 'LuCI pages for ddnsd: status of services and records, log, configuration.',
    },
    tree,
    conffiles: [],
    scripts: { postinst: read(path.join(FILES, 'luci-app-ddnsd.postinst')) },
  };
}

/** Add every regular file under `dir` at `prefix` + its relative path, 0755 if executable else 0644 (luci.mk's modes). */
function addFiles(tree, dir, prefix) {
  for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, ent.name);
    if (ent.isDirectory()) addFiles(tree, p, `${prefix}/${ent.name}`);
    else if (ent.isFile()) {
      const exec = (fs.statSync(p).mode & 0o111) !== 0;
      tree.add(`${prefix}/${ent.name}`, exec ? 0o755 : 0o644, read(p));
    }
  }
}

/** Split a Depends field ("a, b (>= 1)") into names with optional constraints, as apk wants them ("a", "b>=1"). */
function dependsList(field) {
  return field
    .split(',')
    .map((d) => d.trim())
    .filter(Boolean)
    .map((d) => d.replace(/\s*\(\s*([<>=]+)\s*([^)\s]+)\s*\)$/, '$1$2'));
}

module.exports = { ddnsdPackage, luciPackage, dependsList, licence, runtimeText, NODE_EOL, DDNSD_FILES, REPO };
