import { templateDef } from './url-template';
import type { FieldSpec, ProviderDef } from './types';

/**
 * A URL of the user's own with ddns-scripts' placeholders (`option update_url` of
 * /etc/config/ddns carries over as is): one GET per record, optional answer regex.
 */

export const TEMPLATE_FIELDS: Record<string, FieldSpec> = {
  username: { name: 'username', label: 'Username', type: 'string', help: 'Fills [USERNAME] (URL-encoded).' },
  password: { name: 'password', label: 'Password', type: 'password', secret: true, help: 'Fills [PASSWORD] (URL-encoded); masked in every log line.' },
  param_enc: { name: 'param_enc', label: 'Optional encoded parameter', type: 'password', secret: true, help: 'Fills [PARAMENC] (URL-encoded); treated as a secret, as it often holds an API key.' },
  param_opt: { name: 'param_opt', label: 'Optional parameter', type: 'string', help: 'Fills [PARAMOPT] as written (not encoded).' },
};

const FIELDS: FieldSpec[] = [
  {
    name: 'update_url', label: 'Update URL', type: 'url', required: true,
    help: 'http(s) URL with placeholders [USERNAME] [PASSWORD] [DOMAIN] [IP] [PARAMENC] [PARAMOPT]; user:password@ in it becomes HTTP Basic auth.',
  },
  { name: 'update_url6', label: 'Update URL for IPv6', type: 'url', help: 'Used for AAAA records; empty: the update URL above.' },
  { name: 'answer', label: 'Expected answer', type: 'string', help: 'Regular expression the reply must match (case-insensitive), e.g. good|nochg. Empty: any HTTP 2xx reply is success.' },
  TEMPLATE_FIELDS.username,
  TEMPLATE_FIELDS.password,
  TEMPLATE_FIELDS.param_enc,
  TEMPLATE_FIELDS.param_opt,
  { name: 'use_https', label: 'Use HTTPS', type: 'boolean', default: '0', help: 'Rewrite http:// to https:// in the URL.' },
];

export const custom: ProviderDef = templateDef(
  { id: 'custom', title: 'Custom update URL', aliases: [], fields: FIELDS },
  { ipv4: true, ipv6: true },
);
