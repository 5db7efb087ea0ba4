'use strict';
'require view';
'require rpc';
'require poll';
'require ui';
'require dom';
'require uci';

// Status of ddnsd's services and records, read from the daemon's `ddnsd` ubus object and
// refreshed every 5 seconds: an overview with one line per record, each service's details on
// demand, and the daemon's newest log lines below. The page only shows and asks: every
// decision (what to send, when, what forcing risks) stays in the daemon.

const callStatus = rpc.declare({ object: 'ddnsd', method: 'status', expect: { '': {} } });
const callLog = rpc.declare({ object: 'ddnsd', method: 'log', params: ['lines'], expect: { lines: [] } });
const callUpdate = rpc.declare({ object: 'ddnsd', method: 'update', params: ['service', 'force'], expect: { '': {} } });
const callTest = rpc.declare({ object: 'ddnsd', method: 'test', params: ['service'], expect: { '': {} } });
const callProviders = rpc.declare({ object: 'ddnsd', method: 'providers', expect: { providers: [] } });
const callTestNotify = rpc.declare({ object: 'ddnsd', method: 'test', params: ['notify'], expect: { '': {} } });

const LOG_LINES = 200;
const LEVELS = ['error', 'warn', 'info', 'debug'];

const STATE_LABELS = {
	ok: _('Up to date'),
	pending: _('Pending'),
	updating: _('Updating'),
	retrying: _('Retrying'),
	blocked: _('Blocked'),
	error: _('Error'),
	disabled: _('Disabled')
};

const LEVEL_LABELS = { error: _('Errors'), warn: _('Warnings and errors'), info: _('Information'), debug: _('Debug') };

// Text from the daemon always goes into text nodes (an array item), never into markup.
function T(s) {
	return document.createTextNode(s == null ? '' : String(s));
}

function time(secs) {
	return secs > 0 ? new Date(secs * 1000).toLocaleString() : _('never');
}

// When the next check runs, in words: a blocked record waits for the user, not for an event.
function nextCheck(state, enabled, secs) {
	if (!enabled || state === 'disabled')
		return '-';
	if (state === 'blocked')
		return _('when its configuration changes');
	return secs > 0 ? new Date(secs * 1000).toLocaleString() : _('on the next event');
}

// Label classes LuCI's themes colour (bootstrap: success green, warning orange, notice
// blue; it has no red label): what needs the user's attention is orange.
const STATE_CLASSES = { ok: 'success', blocked: 'warning', error: 'warning', retrying: 'notice', pending: 'notice', updating: 'notice' };

function badge(state) {
	return E('span', {
		'class': 'label' + (STATE_CLASSES[state] ? ' ' + STATE_CLASSES[state] : ''),
		'data-state': state
	}, [T(STATE_LABELS[state] || state)]);
}

function cell(content) {
	return E('td', { 'class': 'td left' }, [content instanceof Node ? content : T(content)]);
}

function row(label, value) {
	return E('tr', { 'class': 'tr' }, [
		E('td', { 'class': 'td left', 'width': '33%' }, [T(label)]),
		cell(value)
	]);
}

// The WAN a service's requests and address come from. With several WANs (status `wans`), the
// active one and whether it is the first choice or a failover; the daemon's reason as a tooltip.
function activeWan(s) {
	const active = s.active_interface || s.interface || '-';
	if (!(s.wans || []).length)
		return T(active);
	const first = (s.interfaces || [])[0];
	const role = !s.active_interface ? _('none usable') : s.active_interface === first ? _('first choice') : _('failover');
	return E('span', { 'title': s.active_reason || '', 'data-wan': active }, [T('%s (%s)'.format(active, role))]);
}

// What the record holds, and where the router's address differs, what it will get.
function address(r) {
	if (r.detected && r.registered && r.detected !== r.registered)
		return '%s → %s'.format(r.registered, r.detected);
	return r.registered || r.detected || '-';
}

return view.extend({
	load() {
		return Promise.all([
			L.resolveDefault(callStatus(), {}),
			L.resolveDefault(callLog(LOG_LINES), []),
			L.resolveDefault(callProviders(), []),
			L.resolveDefault(uci.load('ddnsd'), null)
		]);
	},

	provider(id) {
		return (this.providers || []).find((p) => p.id === id) || { id: id, title: id, capabilities: {}, force_warning: '' };
	},

	service(name) {
		return ((this.status && this.status.services) || []).find((s) => s.name === name);
	},

	notify(text, ok) {
		ui.addNotification(null, E('p', {}, [T(text)]), ok ? 'info' : 'warning');
	},

	// Update now is a check: the daemon sends only what changed.
	handleUpdate(name) {
		return callUpdate(name, false).then((r) => this.updated(name, r, false));
	},

	// Forcing sends the address although the record has it: the daemon says what that risks.
	handleForce(name) {
		const s = this.service(name);
		const warning = s ? this.provider(s.provider).force_warning : '';
		ui.showModal(_('Force an update of %s').format(name), [
			E('p', {}, [T(_('Send the current address to the provider even though the record already has it? Use this only to repair a record you know is wrong.'))]),
			warning ? E('div', { 'class': 'alert-message warning ddnsd-force-warning' }, [T(warning)]) : '',
			E('div', { 'class': 'right' }, [
				E('button', { 'class': 'btn', 'click': ui.hideModal }, [T(_('Cancel'))]),
				' ',
				E('button', {
					'class': 'btn cbi-button-negative',
					'click': ui.createHandlerFn(this, () => {
						ui.hideModal();
						return callUpdate(name, true).then((r) => this.updated(name, r, true));
					})
				}, [T(_('Force update'))])
			])
		]);
	},

	updated(name, r, forced) {
		const has = (list) => Array.isArray(list) && list.indexOf(name) >= 0;
		const queued = has(r && r.queued);
		const text = queued
			? (forced ? _('A forced update of %s is queued; the status below follows it.')
				: _('A check of %s is queued: only a changed address is sent; the status below follows it.')).format(name)
			: has(r && r.blocked)
				? _('%s is blocked until its configuration changes (the provider refused it; see its last result). Nothing was sent.').format(name)
				: _('ddnsd did not queue a check of %s (is the service enabled?).').format(name);
		this.notify(text, queued);
		((r && r.warnings) || []).filter((w) => w.service === name).forEach((w) => this.notify(w.message, false));
	},

	handleTest(name) {
		return callTest(name).then((r) => {
			const text = !r || !r.service ? _('ddnsd did not answer.')
				: !r.supported ? r.message
				: (r.outcome === 'ok' ? _('The credentials work.') + ' ' : '') + r.message;
			ui.showModal(_('Credential test of %s').format(name), [
				E('p', { 'class': 'ddnsd-test-result' }, [T(text)]),
				E('div', { 'class': 'right' }, [E('button', { 'class': 'btn', 'click': ui.hideModal }, [T(_('Close'))])])
			]);
		});
	},

	// Everything about one service, on demand.
	handleDetails(name) {
		const s = this.service(name);
		if (!s)
			return;
		const p = this.provider(s.provider);
		const detected = [s.detected && s.detected.ipv4, s.detected && s.detected.ipv6].filter((a) => a).join(', ');
		const head = [_('Record'), _('Type'), _('Registered'), _('Detected'), _('State'), _('Verified'),
			_('Last check'), _('Last change'), _('Next check'), _('Last result')];
		const records = (s.records || []).length
			? E('table', { 'class': 'table ddnsd-records' }, [
				E('tr', { 'class': 'tr table-titles' }, head.map((h) => E('th', { 'class': 'th' }, [T(h)]))),
				...s.records.map((r) => E('tr', { 'class': 'tr', 'data-record': r.name + '/' + r.type }, [
					cell(r.name), cell(r.type), cell(r.registered || '-'), cell(r.detected || '-'), cell(badge(r.state)),
					cell(r.verified ? _('yes') : _('no')), cell(time(r.last_check)), cell(time(r.last_change)),
					cell(nextCheck(r.state, s.enabled, r.next_check)), cell(r.last_result || '')
				]))
			])
			: E('p', { 'class': 'ddnsd-no-records' }, [T(_('No record state yet.'))]);
		ui.showModal(_('%s: details').format(name), [
			s.error ? E('div', { 'class': 'alert-message danger', 'style': 'white-space:pre-line' }, [T(s.error)]) : '',
			...(s.warnings || []).map((w) => E('div', { 'class': 'alert-message warning' }, [T(w)])),
			E('table', { 'class': 'table ddnsd-details' }, [
				row(_('Provider'), p.title || s.provider),
				row(_('Enabled'), s.enabled ? _('yes') : _('no')),
				row((s.wans || []).length ? _('Networks (priority order)') : _('Interface'), (s.interfaces || []).length ? s.interfaces.join(', ') : s.interface),
				(s.wans || []).length ? row(_('Active WAN'), s.active_interface || _('none usable')) : '',
				s.active_reason ? row(_('Why'), s.active_reason) : '',
				row(_('Address source'), s.source),
				row(_('Detected addresses'), detected || _('none yet')),
				row(_('Last check'), time(s.last_check)),
				row(_('Next check'), nextCheck(s.state, s.enabled, s.next_check))
			]),
			(s.wans || []).length ? E('table', { 'class': 'table ddnsd-wans' }, [
				E('tr', { 'class': 'tr table-titles' }, [_('Network'), _('Active'), _('Usable'), _('mwan3'), _('Why')].map((h) => E('th', { 'class': 'th' }, [T(h)]))),
				...s.wans.map((w) => E('tr', { 'class': 'tr', 'data-wan': w.name }, [
					cell(w.name), cell(w.active ? _('yes') : _('no')), cell(w.usable ? _('yes') : _('no')), cell(w.mwan3 || '-'), cell(w.reason)
				]))
			]) : '',
			records,
			E('div', { 'class': 'right' }, [
				p.capabilities && p.capabilities.credential_test ? E('button', {
					'class': 'btn cbi-button-action',
					'title': _('Check the credentials without changing records'),
					'click': ui.createHandlerFn(this, 'handleTest', name)
				}, [T(_('Test'))]) : '',
				' ',
				s.enabled ? E('button', {
					'class': 'btn cbi-button-negative',
					'title': _('Send the current address even though the record has it'),
					'click': ui.createHandlerFn(this, 'handleForce', name)
				}, [T(_('Force update'))]) : '',
				' ',
				E('button', { 'class': 'btn', 'click': ui.hideModal }, [T(_('Close'))])
			])
		]);
	},

	// One line per record: service, record, type, address, state, last change; actions per service.
	renderOverview(services) {
		const head = [_('Service'), _('WAN'), _('Record'), _('Type'), _('Address'), _('State'), _('Last change'), ''];
		const rows = [];
		services.forEach((s) => {
			const records = (s.records || []).length ? s.records : [null];
			records.forEach((r, i) => {
				const actions = i > 0 ? '' : E('div', {}, [
					E('button', {
						'class': 'btn cbi-button-apply',
						'title': _('Check now; only a changed address is sent'),
						'disabled': s.enabled ? null : '',
						'click': ui.createHandlerFn(this, 'handleUpdate', s.name)
					}, [T(_('Update now'))]),
					' ',
					E('button', { 'class': 'btn', 'click': ui.createHandlerFn(this, 'handleDetails', s.name) }, [T(_('Details'))])
				]);
				const who = i > 0 ? '' : E('span', {}, [E('strong', {}, [T(s.name)]), E('br'), T(this.provider(s.provider).title || s.provider || '')]);
				rows.push(E('tr', { 'class': 'tr', 'data-service': s.name, 'data-record': r ? r.name + '/' + r.type : '' }, [
					cell(who),
					cell(i > 0 ? '' : activeWan(s)),
					cell(r ? r.name : '-'),
					cell(r ? r.type : '-'),
					cell(r ? address(r) : '-'),
					cell(badge(r ? r.state : s.state)),
					cell(r ? time(r.last_change) : '-'),
					cell(actions)
				]));
			});
		});
		return E('table', { 'class': 'table ddnsd-overview' }, [
			E('tr', { 'class': 'tr table-titles' }, head.map((h) => E('th', { 'class': 'th' }, [T(h)]))),
			...rows
		]);
	},

	renderStatus(st) {
		this.status = st;
		if (!st || !st.version)
			return E('div', { 'class': 'alert-message warning' },
				[T(_('ddnsd is not running. Start it under System → Startup, or run /etc/init.d/ddnsd start.'))]);
		const services = st.services || [];
		// What needs the user's attention stays on the overview, named by service.
		const attention = [];
		services.forEach((s) => {
			if (s.error)
				attention.push(E('div', { 'class': 'alert-message danger', 'style': 'white-space:pre-line', 'data-service': s.name }, [T(s.name + ': ' + s.error)]));
			(s.warnings || []).forEach((w) => attention.push(E('div', { 'class': 'alert-message warning', 'data-service': s.name }, [T(s.name + ': ' + w)])));
		});
		return E('div', {}, [
			E('p', {}, [T(_('ddnsd %s, running for %s.').format(st.version, '%t'.format(st.uptime || 0)))]),
			...(st.errors || []).map((e) => E('div', { 'class': 'alert-message danger' }, [T(e)])),
			...attention,
			services.length ? this.renderOverview(services)
				: E('p', { 'class': 'ddnsd-empty' }, [T(_('No services are configured yet: add one under Configuration.'))]),
			(st.notify || []).length ? this.renderNotify(st.notify) : ''
		]);
	},

	// The notify sections (config notify 'NAME'): what each last sent, its last error, what waits.
	renderNotify(list) {
		const head = [_('Notification'), _('Type'), _('Enabled'), _('Last sent'), _('Last error'), _('Queued'), ''];
		return E('div', { 'class': 'ddnsd-notify' }, [
			E('h3', {}, [T(_('Notifications'))]),
			E('table', { 'class': 'table' }, [
				E('tr', { 'class': 'tr table-titles' }, head.map((h) => E('th', { 'class': 'th' }, [T(h)]))),
				...list.map((n) => E('tr', { 'class': 'tr', 'data-notify': n.name }, [
					cell(n.name),
					cell(n.type || '-'),
					cell(n.enabled ? _('yes') : _('no')),
					cell(time(n.last_sent)),
					cell(n.error || n.last_error || ''),
					cell(String(n.queued || 0)),
					cell(n.error ? '' : E('button', {
						'class': 'btn cbi-button-action',
						'title': _('Send a test message to this notification target now'),
						'click': ui.createHandlerFn(this, 'handleTestNotify', n.name)
					}, [T(_('Send test notification'))]))
				]))
			])
		]);
	},

	handleTestNotify(name) {
		return callTestNotify(name).then((r) => {
			const ok = !!(r && r.ok);
			// A ubus error resolves to its status number (rpc.js): no such section, or no daemon.
			const text = !r || !r.notify ? _('ddnsd sent no test notification for %s: is ddnsd running, and the section saved and applied?').format(name)
				: (ok ? _('Test notification sent by %s.') : _('The test notification of %s failed.')).format(name) + (r.message ? ' ' + r.message : '');
			this.notify(text, ok);
		});
	},

	// The log ring holds every level the daemon made; the box shows the chosen level and up, newest first.
	renderLog(lines) {
		this.logLines = lines || [];
		const max = LEVELS.indexOf(this.logLevel);
		const shown = this.logLines.filter((l) => LEVELS.indexOf(l.level) <= max).slice().reverse();
		const text = shown.map((l) => '%s %s %s%s'.format(
			new Date(l.time * 1000).toLocaleTimeString(), l.level, l.service ? '[' + l.service + '] ' : '', l.message)).join('\n');
		return [T(text || _('No log lines at this level yet.'))];
	},

	handleLevel(logNode, ev) {
		this.logLevel = ev.target.value;
		dom.content(logNode, this.renderLog(this.logLines));
	},

	render(data) {
		this.providers = Array.isArray(data[2]) ? data[2] : [];
		const configured = uci.get('ddnsd', 'global', 'log_level');
		this.logLevel = LEVELS.indexOf(configured) >= 0 ? configured : 'info';
		const statusNode = E('div', { 'id': 'ddnsd-status' }, [this.renderStatus(data[0])]);
		const logNode = E('pre', { 'id': 'ddnsd-log', 'style': 'max-height:30em;overflow:auto;white-space:pre-wrap' }, this.renderLog(data[1]));
		const levelSelect = E('select', { 'id': 'ddnsd-log-level', 'class': 'cbi-input-select', 'change': ui.createHandlerFn(this, 'handleLevel', logNode) },
			LEVELS.map((l) => E('option', { 'value': l, 'selected': l === this.logLevel ? '' : null }, [T(LEVEL_LABELS[l])])));

		poll.add(() => Promise.all([
			L.resolveDefault(callStatus(), {}),
			L.resolveDefault(callLog(LOG_LINES), [])
		]).then((d) => {
			dom.content(statusNode, this.renderStatus(d[0]));
			dom.content(logNode, this.renderLog(d[1]));
		}), 5);

		return E('div', {}, [
			E('h2', {}, [T(_('Dynamic DNS (ddnsd): status'))]),
			statusNode,
			E('h3', {}, [T(_('Log'))]),
			E('p', {}, [T(_('Show: ')), levelSelect, ' ', T(_('(newest first)'))]),
			logNode
		]);
	},

	handleSave: null,
	handleSaveApply: null,
	handleReset: null
});
