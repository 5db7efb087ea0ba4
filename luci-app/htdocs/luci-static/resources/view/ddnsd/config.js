'use strict';
'require view';
'require form';
'require rpc';
'require uci';
'require ui';
'require tools.widgets as widgets';

// Configuration of /etc/config/ddnsd. The provider list and every provider's own options
// come from the daemon's `providers` ubus method (the registry in the daemon is the single
// source of truth), so this page has no provider-specific code: a new provider in the
// daemon shows up here with its fields. Save & Apply makes procd send ddnsd a SIGHUP.

const callProviders = rpc.declare({ object: 'ddnsd', method: 'providers', expect: { '': {} } });

const callTestNotify = rpc.declare({ object: 'ddnsd', method: 'test', params: ['notify'], expect: { '': {} } });
const callInterfaces = rpc.declare({ object: 'network.interface', method: 'dump', expect: { 'interface': [] } });

const GRID_COLUMNS = ['enabled', 'provider', 'domain', 'ip_version'];
const NOTIFY_COLUMNS = ['enabled', 'type', 'url', '_test'];

// ---- The daemon's rules for the general options ----
// The `options` of the providers reply (src/config/rules.ts) carry each option's type, range,
// pattern and choices, the very data `ddnsd check` validates with; the page interprets the
// same type words (rules.ts explains them) and keeps no ranges, patterns or choices of its own.

const SECONDS = { s: 1, m: 60, h: 3600, d: 86400 };
const UNIT_SECONDS = { seconds: 1, minutes: 60, hours: 3600, days: 86400 };

// An IP version 6 address as the daemon's check takes it (an optional %zone, as Node's isIPv6).
function isIPv6(text) {
	const bare = text.replace(/%[0-9A-Za-z.:-]+$/, '');
	if (!/^[0-9A-Fa-f:.]+$/.test(bare) || bare.indexOf(':') < 0)
		return false;
	try { new URL('http://[' + bare + ']/'); return true; } catch (e) { return false; }
}

function isHost(text, label) {
	return isIPv6(text) || (text.length <= 253 && text.split('.').every((l) => label.test(l)));
}

function isHostPort(text, label) {
	if (isIPv6(text))
		return true;
	const m = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(text);
	if (!m || (m[3] != null && (+m[3] < 1 || +m[3] > 65535)))
		return false;
	return m[1] != null ? isIPv6(m[1]) : isHost(m[2], label);
}

function isHttpUrl(text) {
	if (/[\s\u0000-\u001f\u007f]/.test(text) || !/^https?:\/\/[^/]/i.test(text))
		return false;
	try {
		const u = new URL(text);
		return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
	} catch (e) { return false; }
}

function isFqdn(text, label, wildcard) {
	const labels = text.replace(/\.$/, '').split('.');
	return text.replace(/\.$/, '').length <= 253 && labels.length >= 2
		&& labels.every((l, i) => (wildcard && i === 0 && l === '*') || label.test(l));
}

// Whether `value` passes `rule`; `unit` is the section's unit option for a duration, if set.
function rulePasses(rule, value, unit) {
	const re = rule.pattern ? new RegExp(rule.pattern) : null;
	let n;
	switch (rule.type) {
	case 'choice':
		return (rule.choices || []).indexOf(value) >= 0;
	case 'boolean':
		return true;
	case 'text':
		return re.test(value);
	case 'number':
		if (!re.test(value))
			return false;
		n = +value;
		break;
	case 'duration': {
		const m = re.exec(value);
		if (!m)
			return false;
		n = +m[1] * (m[2] ? SECONDS[m[2]] : UNIT_SECONDS[unit || rule.unit]);
		break;
	}
	case 'url':
		return isHttpUrl(value);
	case 'host_port':
		return isHostPort(value, re);
	case 'endpoint':
		return isHttpUrl(value) || isHostPort(value, re);
	case 'proxy': {
		const hostPort = value.slice(value.lastIndexOf('@') + 1);
		return /:\d{1,5}$/.test(hostPort) && isHostPort(hostPort, re) && !/\s/.test(value);
	}
	case 'fqdn':
		return isFqdn(value, re, rule.wildcard);
	case 'ipv6_suffix':
		return value.indexOf('::') === 0 && isIPv6(value);
	default:
		return true;
	}
	return (rule.min == null || n >= rule.min) && (rule.max == null || n <= rule.max);
}

// The validator of an option from its rule: an empty value is the default (or "required",
// which form.js says itself).
function ruleValidator(rule) {
	return function(section_id, value) {
		if (value == null || value === '')
			return true;
		const unit = rule.unit_option ? uci.get('ddnsd', section_id, rule.unit_option) : null;
		return rulePasses(rule, value, unit) ? true : _('Expecting %s').format(rule.help);
	};
}

function ruleOf(rules, section, name) {
	return rules.find((r) => r.section === section && r.name === name);
}

// An option with several rules, each holding where other options have given values (its
// `depends`: a notify section's priority range per type): shown where one holds, validated by it.
function applyDependentRules(o, list) {
	const holds = (r, section, section_id) => Object.keys(r.depends || {}).every((k) => section.formvalue(section_id, k) === r.depends[k]);
	list.forEach((r) => o.depends(Object.assign({}, r.depends)));
	o.validate = function(section_id, value) {
		const r = list.find((x) => holds(x, this.section, section_id));
		return r ? ruleValidator(r).call(this, section_id, value) : true;
	};
	return o;
}

// Give option `o` its rule: the validator, the default as placeholder, the choices.
function applyRule(o, rules, section, labels) {
	const list = rules.filter((r) => r.section === section && r.name === o.option);
	if (list.some((r) => r.depends))
		return applyDependentRules(o, list);
	const rule = list[0];
	if (!rule)
		return o;
	if (rule.type === 'choice')
		(rule.choices || []).forEach((c) => o.value(c, (labels && labels[c]) || c));
	else if (rule.type !== 'boolean') {
		o.validate = ruleValidator(rule);
		if (rule.default && o.placeholder == null)
			o.placeholder = rule.default;
	}
	if (rule.default && rule.type === 'choice')
		o.default = rule.default;
	return o;
}

// The daemon's rule (config/insecure-http.ts): credentials never go over plain http to a
// host other than a loopback address (127.0.0.0/8, ::1) unless allow_insecure_http is on.
function insecureHost(value) {
	const m = /^http:\/\/(?:[^\/@]*@)?(\[[^\]]*\]|[^\/:?#]*)/i.exec(value || '');
	if (!m)
		return null;
	const host = m[1].replace(/^\[|\]$/g, '');
	return (/^127\.\d+\.\d+\.\d+$/.test(host) || host === '::1') ? null : host;
}

// A URL the provider's requests go to: first its shape (`check`), then http to a non-loopback
// host needs the explicit flag.
function transport(check) {
	return function(section_id, value) {
		const shape = check.call(this, section_id, value);
		return shape !== true ? shape : checkInsecure.call(this, section_id, value);
	};
}

function checkInsecure(section_id, value) {
	const host = insecureHost(value);
	const allowed = this.section.formvalue(section_id, 'allow_insecure_http');
	if (host && allowed !== '1')
		return _('Plain http to %s would send the credentials in clear; use https://, or tick "Allow credentials over plain http"').format(host);
	return true;
}

// The provider list holds long titles ("dyndns2 protocol (any server)"): the theme's fixed
// select width cut them off, so the select takes the width of its longest choice.
function wideSelect(section_id, option_index, cfgvalue) {
	const node = form.ListValue.prototype.renderWidget.apply(this, [section_id, option_index, cfgvalue]);
	const select = node && node.querySelector ? node.querySelector('select') : null;
	if (select)
		select.style.width = 'auto';
	return node;
}

// A text field whose provider declares a pattern (the daemon's check uses the same one).
function checkPattern(f) {
	var re = new RegExp(f.pattern, 'u');
	return function(section_id, value) {
		return (value == null || value === '' || re.test(value)) ? true
			: (f.pattern_help || _('Invalid value'));
	};
}

// The widget for one provider field, chosen by the field's metadata alone.
function fieldOption(s, p, f) {
	if (f.name === 'provider')
		return null;
	const id = '_' + p.id.replace(/[^a-zA-Z0-9_]/g, '_') + '__' + f.name;
	const label = f.label || f.name;
	let o;
	if (f.type === 'boolean') {
		o = s.taboption('provider', form.Flag, id, label, f.help || null);
		o.default = f.default === '1' || f.default === 'true' ? '1' : '0';
	}
	else if (f.list) {
		o = s.taboption('provider', form.DynamicList, id, label, f.help || null);
	}
	else if (f.type === 'choice') {
		o = s.taboption('provider', form.ListValue, id, label, f.help || null);
		if (!f.required)
			o.value('', _('-- default --'));
		(f.choices || []).forEach((c) => o.value(c.value, c.label || c.value));
	}
	else {
		o = s.taboption('provider', form.Value, id, label, f.help || null);
		if (f.default)
			o.placeholder = f.default;
		if (f.secret || f.type === 'password')
			o.password = true;
		if (f.type === 'number')
			// The range the daemon's check applies, from its providers reply.
			o.datatype = (f.min != null && f.max != null) ? 'range(%d,%d)'.format(f.min, f.max) : 'uinteger';
		else if (f.type === 'hostname')
			o.datatype = 'hostname';
		else if (f.type === 'url')
			o.validate = transport(ruleValidator({ type: 'url', help: _('an http:// or https:// URL') }));
		else if (f.type === 'duration')
			o.validate = ruleValidator({ type: 'duration', pattern: f.pattern, unit: 'seconds', help: f.pattern_help });
		else if (f.pattern)
			o.validate = checkPattern(f);
	}
	// Several providers may name a field alike (username, password): each gets its own form
	// option, all stored under the one UCI option name.
	o.ucioption = f.name;
	o.providerField = true;
	o.rmempty = !f.required || !!f.required_unless;
	o.optional = false;
	o.depends('provider', p.id);
	o.remove = removeUnlessShared;
	return o;
}

// Conditions (AND within one object, OR across calls) under which a general option shows.
function when(o, cond) {
	(o.conds = o.conds || []).push(cond);
}

// A provider may declare a field named like a general option (dyndns2's required
// `endpoint`): while such a provider is selected its own field, with its label, help and
// required flag, replaces the general option. So every general option shows only for the
// providers that do not declare its name, and at most one input edits a UCI option.
function applyConditions(s, providers) {
	s.children.filter((o) => !o.providerField && o.option !== 'provider').forEach((o) => {
		const name = o.ucioption || o.option;
		const conds = o.conds || [];
		const owners = providers.filter((p) => (p.fields || []).some((f) => f.name === name));
		if (!owners.length)
			return conds.forEach((c) => o.depends(c));
		const others = providers.filter((p) => owners.indexOf(p) < 0);
		// Provider '' is never selected (the provider option is required): shown for none.
		const ids = others.length ? others.map((p) => p.id) : [''];
		(conds.length ? conds : [{}]).forEach((c) => ids.forEach((id) => o.depends(Object.assign({}, c, { provider: id }))));
		o.remove = removeUnlessShared;
	});
}

// An inactive option removes its UCI value, unless another option of the same UCI name is
// active and owns that value now (provider fields sharing a name, a general option and a
// provider field of the same name).
function removeUnlessShared(section_id) {
	const name = this.ucioption || this.option;
	const shared = this.section.children.some((o) => o !== this && (o.ucioption || o.option) === name && o.isActive(section_id));
	if (!shared)
		return this.map.data.unset(this.map.config, section_id, name);
}

function globalSection(m, rules) {
	const s = m.section(form.NamedSection, 'global', 'ddnsd', _('General settings'));
	s.addremove = false;

	let o = s.option(form.ListValue, 'log_level', _('Log level'),
		_('What ddnsd writes to the system log (logread -e ddnsd).'));
	applyRule(o, rules, 'ddnsd', { error: _('Errors'), warn: _('Warnings'), info: _('Information'), debug: _('Debug') });

	o = s.option(form.Value, 'log_lines', _('Log lines kept in memory'));
	applyRule(o, rules, 'ddnsd');

	o = s.option(form.Flag, 'upd_privateip', _('Allow private addresses'),
		_('Default for all services: publish private, CGNAT and other non-public addresses.'));

	// What ddnsd tells the rest of the router on each change (src/engine/hooks.ts).
	o = s.option(form.DummyValue, '_hooks', _('Change hooks'));
	o.cfgvalue = () => _('On every change of a record\'s address, and when a record becomes blocked or unblocked, ddnsd sends the ubus event ddnsd.record (ubus listen ddnsd.record) and runs the executables in /etc/hotplug.d/ddnsd/ in name order, without a shell and with a timeout, with ACTION (update, blocked, unblocked), SERVICE, DOMAIN, TYPE, OLD_ADDRESS, NEW_ADDRESS, STATE, INTERFACE and RESULT in the environment; never a secret. Their output goes to the log.');
}

function serviceGeneral(s, providers, rules) {
	s.tab('general', _('General'));
	s.tab('wan', _('WAN'));
	s.tab('address', _('Address'));
	s.tab('provider', _('Provider options'));
	s.tab('timing', _('Timing'));

	let o = s.taboption('general', form.Flag, 'enabled', _('Enabled'));
	o.editable = true;

	o = s.taboption('general', form.ListValue, 'provider', _('Provider'));
	providers.forEach((p) => o.value(p.id, p.title || p.id));
	o.rmempty = false;
	o.renderWidget = wideSelect;
	o.textvalue = function(section_id) {
		const id = this.cfgvalue(section_id);
		const p = providers.find((x) => x.id === id);
		return p ? (p.title || p.id) : (id || '-');
	};

	o = s.taboption('general', form.DynamicList, 'domain', _('Records'),
		_('Fully qualified names to keep up to date, e.g. home.example.com.'));
	applyRule(o, rules, 'service');
	o.rmempty = false;
	o.textvalue = function(section_id) {
		return (L.toArray(this.cfgvalue(section_id)) || []).join(', ') || '-';
	};

	o = s.taboption('general', form.ListValue, 'ip_version', _('Address family'));
	applyRule(o, rules, 'service', { '4': _('IPv4 (A records)'), '6': _('IPv6 (AAAA records)'), 'both': _('Both') });
	// The families the chosen provider can update come with the providers reply (capabilities),
	// and check refuses the others with the same sentence's meaning (src/config/service.ts).
	const ruled = o.validate;
	o.validate = function(section_id, value) {
		const first = ruled ? ruled.apply(this, [section_id, value]) : true;
		if (first !== true)
			return first;
		const p = providers.find((x) => x.id === this.section.formvalue(section_id, 'provider'));
		const caps = p && p.capabilities;
		if (!caps)
			return true;
		const want = value === 'both' ? ['4', '6'] : [value || '4'];
		const missing = want.filter((f) => !(f === '4' ? caps.ipv4 : caps.ipv6));
		if (missing.length === 0)
			return true;
		return _('%s updates IPv%s records only').format(p.title || p.id, caps.ipv4 ? '4' : '6');
	};
	o.textvalue = function(section_id) {
		const v = this.cfgvalue(section_id) || this.default;
		const label = this.keylist.indexOf(v) >= 0 ? this.vallist[this.keylist.indexOf(v)] : v;
		return label;
	};
}

// Several WANs: the netifd interfaces in priority order, the hold-down between switches, and
// which address provider requests leave from (src/config/OPTIONS.md, "Several WANs").
function serviceWan(s, rules, networks) {
	let o = s.taboption('wan', form.DynamicList, 'interface', _('Networks (WANs)'),
		_('netifd interfaces in priority order: their events trigger a check, and the first one that is up with a usable address (online, where mwan3 tracks it) is published. Add a second one for failover: when the first goes down the record gets the next one\'s address at once, and the first one\'s again when it is back.'));
	networks.forEach((n) => o.value(n, n));
	applyRule(o, rules, 'service');

	o = s.taboption('wan', form.Value, 'holddown', _('Hold-down'),
		_('With several networks: after a switch the active WAN stays at least this long, so a flapping link costs one update per hold-down.'));
	applyRule(o, rules, 'service');

	o = s.taboption('wan', form.ListValue, 'bind_wan', _('Send requests from'),
		_('With policy routing, provider requests (HTTP and DNS, verification included) must leave from the address being published.'));
	o.value('', _('Automatic: the active WAN\'s address with several networks and the Network source'));
	o.value('1', _('The active WAN\'s address'));
	o.value('0', _('Not bound (or the network below)'));

	o = s.taboption('wan', widgets.NetworkSelect, 'bind_network', _('Send requests from network'),
		_('Provider requests leave from this network\'s address (ddns-scripts\' bind_network).'));
	o.nocreate = true;
	applyRule(o, rules, 'service');
	when(o, { bind_wan: '' });
	when(o, { bind_wan: '0' });
}

function serviceAddress(s, rules) {
	let o = s.taboption('address', form.ListValue, 'ip_source', _('Address source'));
	applyRule(o, rules, 'service', { network: _('Network (netifd)'), 'interface': _('Linux device'), web: _('Web echo service'), dns: _('DNS query'), script: _('Script') });

	o = s.taboption('address', widgets.NetworkSelect, 'ip_network', _('Network'));
	o.nocreate = true;
	applyRule(o, rules, 'service');
	when(o, { ip_source: 'network' });

	o = s.taboption('address', widgets.DeviceSelect, 'ip_interface', _('Device'));
	o.noaliases = true;
	applyRule(o, rules, 'service');
	when(o, { ip_source: 'interface' });

	o = s.taboption('address', form.DynamicList, 'ip_url', _('Echo service URLs'),
		_('Tried in order; empty uses the built-in list.'));
	applyRule(o, rules, 'service');
	when(o, { ip_source: 'web' });

	o = s.taboption('address', form.DynamicList, 'ip_dns', _('DNS lookups'),
		_('opendns, cloudflare or name@server; empty uses the built-in list.'));
	when(o, { ip_source: 'dns' });

	o = s.taboption('address', form.Value, 'ip_script', _('Script'),
		_('Program and arguments (no shell); the first address it prints is used.'));
	when(o, { ip_source: 'script' });

	o = s.taboption('address', form.ListValue, 'ip6_mode', _('IPv6 address'));
	applyRule(o, rules, 'service', { auto: _('The interface\'s best global address'), prefix: _('Delegated prefix + host part (a LAN host)') });
	when(o, { ip_version: '6' });
	when(o, { ip_version: 'both' });

	o = s.taboption('address', form.Value, 'ip6_suffix', _('IPv6 host part'),
		_('Interface id or suffix behind the delegated prefix, e.g. ::1234 or ::a:b:c:d.'));
	applyRule(o, rules, 'service');
	when(o, { ip6_mode: 'prefix' });

	o = s.taboption('address', widgets.NetworkSelect, 'ip6_prefix_interface', _('Prefix of network'));
	o.nocreate = true;
	applyRule(o, rules, 'service');
	when(o, { ip6_mode: 'prefix' });

	o = s.taboption('address', form.Flag, 'upd_privateip', _('Allow private addresses'));
}

function serviceTiming(s, rules) {
	const durations = [
		['check_interval', _('Safety re-check'), _('For web, dns and script sources, which cannot signal a change.')],
		['force_interval', _('Forced refresh'), _('Send the address even when unchanged after this long; 0 = never.')],
		['retry_interval', _('First retry after'), _('Later retries wait longer.')]
	];
	durations.forEach(([name, title, help]) => applyRule(s.taboption('timing', form.Value, name, title, help), rules, 'service'));

	let o = s.taboption('timing', form.Value, 'retry_max_count', _('Maximum retries'), _('0 = no limit.'));
	applyRule(o, rules, 'service');

	o = s.taboption('timing', form.Flag, 'verify', _('Verify records'),
		_('Confirm with a DNS query (or the provider\'s API) after updating and at start.'));
	o.default = '1';

	o = s.taboption('timing', form.Value, 'dns_server', _('DNS server for verification'),
		_('Default: the zone\'s authoritative servers.'));
	applyRule(o, rules, 'service');

	o = s.taboption('timing', form.Value, 'lookup_host', _('Name to verify'),
		_('Verification looks up this name instead of each record (as ddns-scripts\' lookup_host). Default: the records themselves.'));
	applyRule(o, rules, 'service');
}

// What `endpoint` may be depends on the provider (its endpoint_type in the providers reply:
// an http(s) URL, a DNS server, or either); the label pattern comes with the general rule.
const ENDPOINT_HELP = { url: _('an http(s) URL'), host_port: _('a DNS server: host[:port]') };

function checkEndpoint(rule, providers) {
	return function(section_id, value) {
		if (!rule || value == null || value === '')
			return true;
		const p = providers.find((x) => x.id === this.section.formvalue(section_id, 'provider'));
		const type = (p && p.endpoint_type) || rule.type;
		return rulePasses(Object.assign({}, rule, { type: type }), value) ? true : _('Expecting %s').format(ENDPOINT_HELP[type] || rule.help);
	};
}

function serviceProviderCommon(s, rules, providers) {
	let o = s.taboption('provider', form.Value, 'endpoint', _('API address'),
		_('Overrides the provider\'s address (self-hosted servers, sandboxes).'));
	o.validate = transport(checkEndpoint(ruleOf(rules, 'service', 'endpoint'), providers));

	o = s.taboption('provider', form.Flag, 'allow_insecure_http', _('Allow credentials over plain http'),
		_('Warning: with this on, a password, token or key sent to an http:// address (other than this router) travels in clear, and anyone on the path can read it. Leave it off unless the server has no https.'));

	o = s.taboption('provider', form.Value, 'proxy', _('Proxy'), _('[user:pass@]host:port'));
	applyRule(o, rules, 'service');

	o = s.taboption('provider', form.Flag, 'force_ipversion', _('Requests over the record\'s family'),
		_('Updates of A records travel over IPv4, of AAAA records over IPv6.'));

	o = s.taboption('provider', form.Value, 'cacert', _('Extra trusted CA'),
		_('A PEM file or a directory of them, trusted for this service besides the built-in roots.'));
	o.placeholder = '/etc/ssl/certs/my-ca.crt';

	o = s.taboption('provider', form.Flag, 'tls_insecure', _('INSECURE: do not check the TLS certificate'),
		_('Anyone on the path can then read this service\'s credentials and answer in the provider\'s name. Trust the provider\'s CA with the option above instead.'));

	// No general `ttl` here: providers that take one declare it among their own fields.
}

// `config notify 'NAME'` sections (src/config/notify.ts): the same record events as the ubus
// event and the hooks, sent to a URL as a JSON webhook, ntfy or Gotify message.
function notifySection(m, rules, services) {
	const s = m.section(form.GridSection, 'notify', _('Notifications'),
		_('Each change of a record\'s address, and each record becoming blocked or unblocked, is also sent to these URLs. Failed sends are retried with growing waits.'));
	s.addremove = true;
	s.anonymous = false;
	s.nodescriptions = true;
	s.addbtntitle = _('Add notification');

	let o = s.option(form.Flag, 'enabled', _('Enabled'));
	applyRule(o, rules, 'notify');
	o.default = '1';
	o.editable = true;

	o = s.option(form.ListValue, 'type', _('Format'));
	applyRule(o, rules, 'notify', { webhook: _('Webhook (JSON POST)'), ntfy: _('ntfy'), gotify: _('Gotify') });
	o.rmempty = false;

	o = s.option(form.Value, 'url', _('URL'),
		_('ntfy: the topic\'s URL (https://ntfy.sh/my-topic); Gotify: the server\'s base URL; webhook: where the JSON is posted.'));
	applyRule(o, rules, 'notify');
	o.rmempty = false;
	// A token over plain http travels in clear: the daemon refuses it unless allowed (insecure-http.ts).
	const shape = o.validate || (() => true);
	o.validate = function(section_id, value) {
		const ok = shape.call(this, section_id, value);
		if (ok !== true || !this.section.formvalue(section_id, 'token'))
			return ok;
		return checkInsecure.call(this, section_id, value);
	};

	o = s.option(form.Value, 'token', _('Token'),
		_('ntfy: an access token (optional); Gotify: the application token (required); webhook: sent as a Bearer token (optional). Never shown in logs or status.'));
	o.password = true;

	o = s.option(form.MultiValue, 'event', _('Events'), _('None chosen: all of them.'));
	applyRule(o, rules, 'notify', { update: _('Address updated'), blocked: _('Record blocked'), unblocked: _('Block lifted') });

	o = s.option(form.DynamicList, 'service', _('Services'), _('Only events of these services; empty: every service.'));
	services.forEach((name) => o.value(name, name));

	// Shown for the types that have a priority (one rule each, with its range).
	o = s.option(form.Value, 'priority', _('Priority'), _('ntfy: 1 (min) to 5 (max); Gotify: 0 to 10.'));
	applyRule(o, rules, 'notify');

	o = s.option(form.Flag, 'allow_insecure_http', _('Allow the token over plain http'),
		_('Warning: with this on, a token sent to an http:// address (other than this router) travels in clear.'));

	o = s.option(form.Button, '_test', _('Test'));
	o.inputtitle = _('Send test notification');
	o.inputstyle = 'action';
	o.onclick = function(ev, section_id) {
		return callTestNotify(section_id).then((r) => {
			const ok = !!(r && r.ok);
			// A ubus error resolves to its status number (rpc.js): no such section, or no daemon.
			const text = !r || !r.notify ? _('ddnsd sent no test notification for %s: is ddnsd running, and the section saved and applied?').format(section_id)
				: (ok ? _('Test notification sent by %s.') : _('The test notification of %s failed.')).format(section_id) + (r.message ? ' ' + r.message : '');
			ui.addNotification(null, E('p', {}, [document.createTextNode(text)]), ok ? 'info' : 'warning');
		});
	};

	s.children.filter((o) => NOTIFY_COLUMNS.indexOf(o.option) < 0).forEach((o) => { o.modalonly = true; });
}

return view.extend({
	load() {
		return Promise.all([
			L.resolveDefault(callProviders(), {}),
			uci.load('ddnsd'),
			L.resolveDefault(callInterfaces(), [])
		]);
	},

	render(data) {
		const reply = data[0] && typeof data[0] === 'object' ? data[0] : {};
		const providers = Array.isArray(reply.providers) ? reply.providers : [];
		const rules = Array.isArray(reply.options) ? reply.options : [];
		const networks = (Array.isArray(data[2]) ? data[2] : []).map((i) => i.interface).filter((n) => n && n !== 'loopback');
		const m = new form.Map('ddnsd', _('Dynamic DNS (ddnsd): configuration'),
			providers.length ? _('Changes take effect on Save & Apply; ddnsd reloads without a restart.')
				: _('ddnsd is not running, so the list of providers is not available. Start it to edit services.'));

		globalSection(m, rules);

		const s = m.section(form.GridSection, 'service', _('Services'));
		s.addremove = true;
		s.anonymous = false;
		s.nodescriptions = true;
		s.addbtntitle = _('Add service');

		serviceGeneral(s, providers, rules);
		serviceWan(s, rules, networks);
		serviceAddress(s, rules);
		serviceTiming(s, rules);
		serviceProviderCommon(s, rules, providers);
		applyConditions(s, providers);
		providers.forEach((p) => (p.fields || []).forEach((f) => fieldOption(s, p, f)));
		// The grid shows a few columns (and the dialog too); everything else only the dialog.
		// (modalonly = false would mean "grid only", so the columns leave it unset.)
		s.children.filter((o) => GRID_COLUMNS.indexOf(o.option) < 0).forEach((o) => { o.modalonly = true; });

		notifySection(m, Array.isArray(reply.notify_options) ? reply.notify_options : [], uci.sections('ddnsd', 'service').map((x) => x['.name']));

		return m.render();
	}
});
