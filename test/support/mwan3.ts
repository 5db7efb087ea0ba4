import { UbusClient } from '../../src/ubus';

/**
 * A stand-in for mwan3 as the daemon meets it, following openwrt/packages net/mwan3:
 * - usr/sbin/mwan3track: on a verdict it first writes the interface's STATUS (`online`,
 *   `offline`) and then runs `env -i ACTION=connected|disconnected INTERFACE DEVICE
 *   hotplug-call iface`; our 95-ddnsd hotplug script turns that into
 *   `ubus call ddnsd notify {interface, action, device}` (what `hotplugEvent` sends here);
 * - usr/share/rpcd/ucode/mwan3: the `mwan3` ubus object's `status` method with the `section`
 *   argument; `interfaces` maps each interface of /etc/config/mwan3 to
 *   `{age, online, offline, uptime, score, lost, turn, status, enabled, running, tracking, up, track_ip}`.
 * Not modelled: the `connected` and `policies` sections (iptables/ipset), track_ip details.
 */
export class FakeMwan3 {
  readonly #status = new Map<string, string>();
  statusCalls = 0;
  #object: { remove(): Promise<void> } | undefined;

  private constructor(readonly client: UbusClient, readonly interfaces: string[]) {
    for (const i of interfaces) this.#status.set(i, 'online');
  }

  /** Connect; with `publish` false only the hotplug events exist (mwan3's rpcd plugin missing). */
  static async start(socketPath: string, interfaces: string[], publish = true): Promise<FakeMwan3> {
    const m = new FakeMwan3(await UbusClient.connect({ socketPath }), interfaces);
    if (publish) {
      m.#object = await m.client.addObject('mwan3', {
        status: {
          args: { section: 'string', interface: 'string' },
          handler: (a) => {
            m.statusCalls++;
            const interfaces = m.#reply(typeof a.interface === 'string' ? a.interface : undefined);
            return a.section === 'interfaces' ? { interfaces } : { interfaces, connected: { ipv4: [], ipv6: [] }, policies: { ipv4: {}, ipv6: {} } };
          },
        },
      });
    }
    return m;
  }

  #reply(only?: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, status] of this.#status) {
      if (only && only !== name) continue;
      const online = status === 'online';
      out[name] = {
        age: 1, online: online ? 100 : 0, offline: online ? 0 : 5, uptime: 300, score: online ? 10 : 0, lost: 0, turn: 0,
        status, enabled: true, running: true, tracking: 'active', up: true, track_ip: [],
      };
    }
    return out;
  }

  /** mwan3track's verdict: STATUS first, then the hotplug event through 95-ddnsd. */
  async track(iface: string, online: boolean, device = 'eth1'): Promise<void> {
    this.#status.set(iface, online ? 'online' : 'offline');
    await this.hotplugEvent(iface, online ? 'connected' : 'disconnected', device);
  }

  /** What 95-ddnsd sends for a hotplug iface event. */
  async hotplugEvent(iface: string, action: string, device = 'eth1'): Promise<void> {
    await this.client.call('ddnsd', 'notify', { interface: iface, action, device });
  }

  async close(): Promise<void> {
    await this.#object?.remove();
    this.client.close();
  }
}
