// ddnsd's x86_64 package in a router root with no glibc (test/support/openwrt/rootfs-suite.ts).
import { rootfsSuite } from '../support/openwrt/rootfs-suite';

rootfsSuite('x86_64');
