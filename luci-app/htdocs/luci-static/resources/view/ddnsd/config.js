'use strict';
'require view';
'require form';
'require rpc';
'require uci';
'require tools.widgets as widgets';

// Configuration of /etc/config/ddnsd. The provider list and every provider's own options
// come from the daemon's `providers` ubus method (the registry in the daemon is the single
// source of truth), so this page has no provider-specific code: a new provider in the
// daemon shows up here with its fields. Save & Apply makes procd send ddnsd a SIGHUP.

const callProviders = rpc.declare({ object: 'ddnsd', method: 'providers', expect: { providers: [] } });

const DURATION = /^[0-9]+[smhd]?$/;
const GRID_COLUMNS = ['enabled', 'provider', 'domain', 'ip_version'];

function checkDuration(section_id, value) {
	return (value == null || value === '' || DURATION.test(value)) ? true
		: _('Expecting a duration such as 30s, 10m, 72h or 3d');
}

function checkUrl(section_id, value) {
	return (value == null || value === '' || /^https?:\/\/[^\s]+$/.test(value)) ? true
		: _('Expecting an http:// or https:// URL');
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

// A URL the provider's requests go to: http to a non-loopback host needs the explicit flag.
function checkTransport(section_id, value) {
	const url = checkUrl(section_id, value);
	if (url !== true)
		return url;
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
			o.validate = checkTransport;
		else if (f.type === 'duration')
			o.validate = checkDuration;
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

function globalSection(m) {
	const s = m.section(form.NamedSection, 'global', 'ddnsd', _('General settings'));
	s.addremove = false;

	let o = s.option(form.ListValue, 'log_level', _('Log level'),
		_('What ddnsd writes to the system log (logread -e ddnsd).'));
	o.value('error', _('Errors'));
	o.value('warn', _('Warnings'));
	o.value('info', _('Information'));
	o.value('debug', _('Debug'));
	o.default = 'info';

	o = s.option(form.Value, 'log_lines', _('Log lines kept in memory'));
	o.datatype = 'range(10,10000)';
	o.placeholder = '500';

	o = s.option(form.Flag, 'upd_privateip', _('Allow private addresses'),
		_('Default for all services: publish private, CGNAT and other non-public addresses.'));
}

function serviceGeneral(s, providers) {
	s.tab('general', _('General'));
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
	o.datatype = 'hostname';
	o.rmempty = false;
	o.textvalue = function(section_id) {
		return (L.toArray(this.cfgvalue(section_id)) || []).join(', ') || '-';
	};

	o = s.taboption('general', form.ListValue, 'ip_version', _('Address family'));
	o.value('4', _('IPv4 (A records)'));
	o.value('6', _('IPv6 (AAAA records)'));
	o.value('both', _('Both'));
	o.default = '4';
	o.textvalue = function(section_id) {
		const v = this.cfgvalue(section_id) || this.default;
		const label = this.keylist.indexOf(v) >= 0 ? this.vallist[this.keylist.indexOf(v)] : v;
		return label;
	};

	o = s.taboption('general', widgets.NetworkSelect, 'interface', _('Event interface'),
		_('The network whose up/down/update events trigger a check.'));
	o.nocreate = true;
	o.default = 'wan';
}

function serviceAddress(s) {
	let o = s.taboption('address', form.ListValue, 'ip_source', _('Address source'));
	o.value('network', _('Network (netifd)'));
	o.value('interface', _('Linux device'));
	o.value('web', _('Web echo service'));
	o.value('dns', _('DNS query'));
	o.value('script', _('Script'));
	o.default = 'network';

	o = s.taboption('address', widgets.NetworkSelect, 'ip_network', _('Network'));
	o.nocreate = true;
	when(o, { ip_source: 'network' });

	o = s.taboption('address', widgets.DeviceSelect, 'ip_interface', _('Device'));
	o.noaliases = true;
	when(o, { ip_source: 'interface' });

	o = s.taboption('address', form.DynamicList, 'ip_url', _('Echo service URLs'),
		_('Tried in order; empty uses the built-in list.'));
	o.validate = checkUrl;
	when(o, { ip_source: 'web' });

	o = s.taboption('address', form.DynamicList, 'ip_dns', _('DNS lookups'),
		_('opendns, cloudflare or name@server; empty uses the built-in list.'));
	when(o, { ip_source: 'dns' });

	o = s.taboption('address', form.Value, 'ip_script', _('Script'),
		_('Program and arguments (no shell); the first address it prints is used.'));
	when(o, { ip_source: 'script' });

	o = s.taboption('address', form.ListValue, 'ip6_mode', _('IPv6 address'));
	o.value('auto', _('The interface\'s best global address'));
	o.value('prefix', _('Delegated prefix + host part (a LAN host)'));
	when(o, { ip_version: '6' });
	when(o, { ip_version: 'both' });

	o = s.taboption('address', form.Value, 'ip6_suffix', _('IPv6 host part'),
		_('Interface id or suffix behind the delegated prefix, e.g. ::1234 or ::a:b:c:d.'));
	o.datatype = 'ip6addr';
	when(o, { ip6_mode: 'prefix' });

	o = s.taboption('address', widgets.NetworkSelect, 'ip6_prefix_interface', _('Prefix of network'));
	o.nocreate = true;
	when(o, { ip6_mode: 'prefix' });

	o = s.taboption('address', form.Flag, 'upd_privateip', _('Allow private addresses'));
}

function serviceTiming(s) {
	const durations = [
		['check_interval', _('Safety re-check'), _('For web, dns and script sources, which cannot signal a change. Default 10m.')],
		['force_interval', _('Forced refresh'), _('Send the address even when unchanged after this long; 0 = never.')],
		['retry_interval', _('First retry after'), _('Later retries wait longer.')]
	];
	durations.forEach(([name, title, help]) => {
		const o = s.taboption('timing', form.Value, name, title, help);
		o.validate = checkDuration;
	});

	let o = s.taboption('timing', form.Value, 'retry_max_count', _('Maximum retries'), _('0 = no limit.'));
	o.datatype = 'uinteger';

	o = s.taboption('timing', form.Flag, 'verify', _('Verify records'),
		_('Confirm with a DNS query (or the provider\'s API) after updating and at start.'));
	o.default = '1';

	o = s.taboption('timing', form.Value, 'dns_server', _('DNS server for verification'),
		_('Default: the zone\'s authoritative servers.'));

	o = s.taboption('timing', form.Value, 'lookup_host', _('Name to verify'),
		_('Verification looks up this name instead of each record (as ddns-scripts\' lookup_host). Default: the records themselves.'));
	o.datatype = 'hostname';
}

function serviceProviderCommon(s) {
	let o = s.taboption('provider', form.Value, 'endpoint', _('API address'),
		_('Overrides the provider\'s address (self-hosted servers, sandboxes).'));
	o.validate = checkTransport;

	o = s.taboption('provider', form.Flag, 'allow_insecure_http', _('Allow credentials over plain http'),
		_('Warning: with this on, a password, token or key sent to an http:// address (other than this router) travels in clear, and anyone on the path can read it. Leave it off unless the server has no https.'));

	o = s.taboption('provider', form.Value, 'proxy', _('Proxy'), _('[user:pass@]host:port'));

	o = s.taboption('provider', form.Flag, 'force_ipversion', _('Requests over the record\'s family'),
		_('Updates of A records travel over IPv4, of AAAA records over IPv6.'));

	o = s.taboption('provider', form.Value, 'cacert', _('Extra trusted CA'),
		_('A PEM file or a directory of them, trusted for this service besides the built-in roots.'));
	o.placeholder = '/etc/ssl/certs/my-ca.crt';

	o = s.taboption('provider', form.Flag, 'tls_insecure', _('INSECURE: do not check the TLS certificate'),
		_('Anyone on the path can then read this service\'s credentials and answer in the provider\'s name. Trust the provider\'s CA with the option above instead.'));

	// No general `ttl` here: providers that take one declare it among their own fields.
}

return view.extend({
	load() {
		return Promise.all([
			L.resolveDefault(callProviders(), []),
			uci.load('ddnsd')
		]);
	},

	render(data) {
		const providers = Array.isArray(data[0]) ? data[0] : [];
		const m = new form.Map('ddnsd', _('Dynamic DNS (ddnsd): configuration'),
			providers.length ? _('Changes take effect on Save & Apply; ddnsd reloads without a restart.')
				: _('ddnsd is not running, so the list of providers is not available. Start it to edit services.'));

		globalSection(m);

		const s = m.section(form.GridSection, 'service', _('Services'));
		s.addremove = true;
		s.anonymous = false;
		s.nodescriptions = true;
		s.addbtntitle = _('Add service');

		serviceGeneral(s, providers);
		serviceAddress(s);
		serviceTiming(s);
		serviceProviderCommon(s);
		applyConditions(s, providers);
		providers.forEach((p) => (p.fields || []).forEach((f) => fieldOption(s, p, f)));
		// The grid shows a few columns (and the dialog too); everything else only the dialog.
		// (modalonly = false would mean "grid only", so the columns leave it unset.)
		s.children.filter((o) => GRID_COLUMNS.indexOf(o.option) < 0).forEach((o) => { o.modalonly = true; });

		return m.render();
	}
});
