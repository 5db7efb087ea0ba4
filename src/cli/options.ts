import { DEFAULTS } from '../engine/wiring';

/**
 * Options several commands share, spelled one way everywhere (`.option(...SOCKET)`):
 * `-c, --config FILE` for every command that reads the configuration, `--socket PATH` for
 * every one that uses ubus, each with one default (shown by --help).
 */
export const CONFIG = ['-c, --config <file>', 'configuration file', DEFAULTS.config] as const;
export const SOCKET = ['--socket <path>', 'ubus socket', DEFAULTS.socket] as const;
