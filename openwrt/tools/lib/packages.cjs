'use strict';
// What goes into each package: paths, modes, control fields, maintainer scripts.
// The SDK Makefiles (openwrt/Makefile, luci-app/Makefile) install the same files.

const fs = require('node:fs');
const path = require('node:path');
const { Tree } = require('./tree.cjs');

const REPO = path.resolve(__dirname, '..', '..', '..');
const FILES = path.join(REPO, 'openwrt', 'files');
const LUCI = path.join(REPO, 'luci-app');

const read = (p) => fs.readFileSync(p);

/** The ddnsd package for one arch, around executable bytes `exe`. */
function ddnsdPackage(version, arch, exe) {
  const tree = new Tree()
    .add('/usr/bin/ddnsd', 0o755, exe)
    .add('/etc/init.d/ddnsd', 0o755, read(path.join(FILES, 'ddnsd.init')))
    .add('/etc/hotplug.d/iface/95-ddnsd', 0o644, read(path.join(FILES, 'ddnsd.hotplug')))
    // 0600 like OpenWrt's INSTALL_CONF: the file holds passwords and tokens.
    .add('/etc/config/ddnsd', 0o600, read(path.join(FILES, 'ddnsd.config')))
    .add('/etc/uci-defaults/95-ddnsd', 0o755, read(path.join(FILES, 'ddnsd.uci-defaults')))
    // The shipped default, so the uci-defaults script can tell an untouched config.
    .add('/usr/share/ddnsd/ddnsd.config', 0o644, read(path.join(FILES, 'ddnsd.config')));
  return {
    fields: {
      Package: 'ddnsd',
      Version: version,
      Depends: 'ubus, jshn',
      Source: 'openwrt',
      License: 'MIT',
      Section: 'net',
      Architecture: arch,
      Description:
        'Event-driven Dynamic DNS client: updates DNS records on WAN events (hotplug, netifd),\n' +
        'many providers, verification, status over ubus for LuCI.',
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
  addDir(tree, path.join(LUCI, 'htdocs'), '/www');
  addDir(tree, path.join(LUCI, 'root'), '');
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

/** Add every regular file under `dir` at `prefix` + its relative path. */
function addDir(tree, dir, prefix) {
  for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, ent.name);
    if (ent.isDirectory()) addDir(tree, p, `${prefix}/${ent.name}`);
    else if (ent.isFile()) {
      const exec = (fs.statSync(p).mode & 0o111) !== 0;
      tree.add(`${prefix}/${ent.name}`, exec ? 0o755 : 0o644, read(p));
    }
  }
}

module.exports = { ddnsdPackage, luciPackage, REPO };
