'use strict';
'require view';
'require rpc';
'require poll';
'require ui';
'require dom';

// Status of ddnsd's services and records, read from the daemon's `ddnsd` ubus object and
// refreshed every 5 seconds, with the daemon's newest log lines below. The page only shows
// and asks: every decision (what to update, when) stays in the daemon.

const callStatus = rpc.declare({ object: 'ddnsd', method: 'status', expect: { '': {} } });
const callLog = rpc.declare({ object: 'ddnsd', method: 'log', params: ['lines'], expect: { lines: [] } });
const callUpdate = rpc.declare({ object: 'ddnsd', method: 'update', params: ['service', 'force'], expect: { '': {} } });
const callTest = rpc.declare({ object: 'ddnsd', method: 'test', params: ['service'], expect: { '': {} } });

const LOG_LINES = 100;

const STATE_LABELS = {
	ok: _('Up to date'),
	pending: _('Pending'),
	updating: _('Updating'),
	retrying: _('Retrying'),
	blocked: _('Blocked'),
	error: _('Error'),
	disabled: _('Disabled')
};

// Text from the daemon always goes into text nodes, never into markup.
function T(s) {
	return document.createTextNode(s == null ? '' : String(s));
}

function time(secs) {
	return secs > 0 ? new Date(secs * 1000).toLocaleString() : _('never');
}

function nextTime(secs) {
	return secs > 0 ? new Date(secs * 1000).toLocaleString() : _('on the next event');
}

// Label classes LuCI's themes colour (bootstrap: success green, warning orange, notice
// blue; it has no red label): what needs the user's attention is orange.
const STATE_CLASSES = { ok: 'success', blocked: 'warning', error: 'warning', retrying: 'notice', pending: 'notice', updating: 'notice' };

function badge(state) {
	return E('span', {
		'class': 'label' + (STATE_CLASSES[state] ? ' ' + STATE_CLASSES[state] : ''),
		'data-state': state
	}, T(STATE_LABELS[state] || state));
}

function row(label, value) {
	return E('tr', { 'class': 'tr' }, [
		E('td', { 'class': 'td left', 'width': '33%' }, T(label)),
		E('td', { 'class': 'td left' }, value instanceof Node ? value : T(value))
	]);
}

function recordsTable(records) {
	if (!records.length)
		return E('p', { 'class': 'ddnsd-no-records' }, T(_('No record state yet.')));
	const head = [_('Record'), _('Type'), _('Registered'), _('Detected'), _('State'), _('Verified'),
		_('Last check'), _('Last change'), _('Next check'), _('Last result')];
	return E('table', { 'class': 'table ddnsd-records' }, [
		E('tr', { 'class': 'tr table-titles' }, head.map((h) => E('th', { 'class': 'th' }, T(h)))),
		...records.map((r) => E('tr', { 'class': 'tr', 'data-record': r.name + '/' + r.type }, [
			E('td', { 'class': 'td' }, T(r.name)),
			E('td', { 'class': 'td' }, T(r.type)),
			E('td', { 'class': 'td' }, T(r.registered || '-')),
			E('td', { 'class': 'td' }, T(r.detected || '-')),
			E('td', { 'class': 'td' }, badge(r.state)),
			E('td', { 'class': 'td' }, T(r.verified ? _('yes') : _('no'))),
			E('td', { 'class': 'td' }, T(time(r.last_check))),
			E('td', { 'class': 'td' }, T(time(r.last_change))),
			E('td', { 'class': 'td' }, T(r.state === 'blocked' || r.state === 'disabled' ? '-' : nextTime(r.next_check))),
			E('td', { 'class': 'td' }, T(r.last_result || ''))
		]))
	]);
}

return view.extend({
	load() {
		return Promise.all([
			L.resolveDefault(callStatus(), {}),
			L.resolveDefault(callLog(LOG_LINES), [])
		]);
	},

	handleUpdate(name) {
		return callUpdate(name, true).then((r) => {
			const has = (list) => Array.isArray(list) && list.indexOf(name) >= 0;
			const ok = has(r && r.queued);
			ui.addNotification(null, E('p', T(ok
				? _('An update of %s is queued; the status below follows it.').format(name)
				: has(r && r.blocked)
					? _('%s is blocked until its configuration changes (the provider refused it; see its last result). Nothing was sent.').format(name)
					: _('ddnsd did not queue an update of %s (is the service enabled?).').format(name))),
				ok ? 'info' : 'warning');
		});
	},

	handleTest(name) {
		return callTest(name).then((r) => {
			const text = !r || !r.service ? _('ddnsd did not answer.')
				: !r.supported ? r.message
				: (r.outcome === 'ok' ? _('The credentials work.') + ' ' : '') + r.message;
			ui.showModal(_('Credential test of %s').format(name), [
				E('p', { 'class': 'ddnsd-test-result' }, T(text)),
				E('div', { 'class': 'right' }, E('button', { 'class': 'btn', 'click': ui.hideModal }, T(_('Close'))))
			]);
		});
	},

	renderService(s) {
		const warnings = (s.warnings || []).map((w) => E('div', { 'class': 'alert-message warning' }, T(w)));
		if (s.error)
			warnings.unshift(E('div', { 'class': 'alert-message danger', 'style': 'white-space:pre-line' }, T(s.error)));
		const detected = [s.detected && s.detected.ipv4, s.detected && s.detected.ipv6].filter((a) => a).join(', ');
		return E('div', { 'class': 'cbi-section', 'data-service': s.name }, [
			E('h3', {}, [T(s.name + ' '), badge(s.state)]),
			...warnings,
			E('table', { 'class': 'table' }, [
				row(_('Provider'), s.provider),
				row(_('Enabled'), s.enabled ? _('yes') : _('no')),
				row(_('Interface'), s.interface),
				row(_('Address source'), s.source),
				row(_('Detected addresses'), detected || _('none yet')),
				row(_('Last check'), time(s.last_check)),
				row(_('Next check'), s.enabled ? nextTime(s.next_check) : '-')
			]),
			recordsTable(s.records || []),
			E('div', { 'class': 'cbi-page-actions' }, [
				E('button', {
					'class': 'cbi-button cbi-button-apply',
					'title': _('Check now and send the current address even if it did not change'),
					'disabled': s.enabled ? null : true,
					'click': ui.createHandlerFn(this, 'handleUpdate', s.name)
				}, T(_('Update now'))),
				' ',
				E('button', {
					'class': 'cbi-button cbi-button-action',
					'title': _('Check the credentials without changing records'),
					'click': ui.createHandlerFn(this, 'handleTest', s.name)
				}, T(_('Test')))
			])
		]);
	},

	renderStatus(st) {
		if (!st || !st.version)
			return E('div', { 'class': 'alert-message warning' },
				T(_('ddnsd is not running. Start it under System → Startup, or run /etc/init.d/ddnsd start.')));
		const services = st.services || [];
		return E('div', {}, [
			E('p', {}, T(_('ddnsd %s, running for %s.').format(st.version, '%t'.format(st.uptime || 0)))),
			...(st.errors || []).map((e) => E('div', { 'class': 'alert-message danger' }, T(e))),
			services.length ? '' : E('p', { 'class': 'ddnsd-empty' }, T(_('No services are configured yet: add one under Configuration.'))),
			...services.map((s) => this.renderService(s))
		]);
	},

	renderLog(lines) {
		const text = (lines || []).map((l) => '%s %s %s%s'.format(
			new Date(l.time * 1000).toLocaleTimeString(), l.level, l.service ? '[' + l.service + '] ' : '', l.message)).join('\n');
		return T(text || _('No log lines yet.'));
	},

	render(data) {
		const statusNode = E('div', { 'id': 'ddnsd-status' }, this.renderStatus(data[0]));
		const logNode = E('pre', { 'id': 'ddnsd-log', 'style': 'max-height:30em;overflow:auto;white-space:pre-wrap' }, this.renderLog(data[1]));

		poll.add(() => Promise.all([
			L.resolveDefault(callStatus(), {}),
			L.resolveDefault(callLog(LOG_LINES), [])
		]).then((d) => {
			dom.content(statusNode, this.renderStatus(d[0]));
			dom.content(logNode, this.renderLog(d[1]));
		}), 5);

		return E('div', {}, [
			E('h2', {}, T(_('Dynamic DNS (ddnsd): status'))),
			statusNode,
			E('h3', {}, T(_('Log'))),
			logNode
		]);
	},

	handleSave: null,
	handleSaveApply: null,
	handleReset: null
});
