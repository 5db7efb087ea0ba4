import type { ServiceStatus } from '../../src/engine/status';

/**
 * A service with two WANs after a failover, as the `status` reply shows it (engine/status.ts):
 * wan is down (mwan3: offline), wanb is active. Shared by the CLI's and LuCI's status tests.
 */
export const FAILOVER: Pick<ServiceStatus, 'interface' | 'interfaces' | 'active_interface' | 'active_reason' | 'wans'> = {
  interface: 'wan',
  interfaces: ['wan', 'wanb'],
  active_interface: 'wanb',
  active_reason: 'wan: down; wanb: up, 198.51.100.9',
  wans: [
    { name: 'wan', active: false, usable: false, reason: 'down', mwan3: 'offline' },
    { name: 'wanb', active: true, usable: true, reason: 'up, 198.51.100.9', mwan3: 'online' },
  ],
};
