# Stand-in for OpenWrt's /lib/functions/procd.sh: instead of building the service
# definition with jshn and sending `ubus call service set`, every procd_* call appends one
# line to $PROCD_LOG: the function name, then each argument in [brackets], so word
# splitting and quoting in the init script are visible to the test.

_procd_record() {
	_line=$1
	shift
	for _a in "$@"; do _line="$_line [$_a]"; done
	printf '%s\n' "$_line" >> "$PROCD_LOG"
}

procd_open_service() { _procd_record procd_open_service "$@"; }
procd_open_instance() { _procd_record procd_open_instance "$@"; }
procd_set_param() { _procd_record procd_set_param "$@"; }
procd_append_param() { _procd_record procd_append_param "$@"; }
procd_close_instance() { _procd_record procd_close_instance "$@"; }
procd_add_reload_trigger() { _procd_record procd_add_reload_trigger "$@"; }
procd_add_interface_trigger() { _procd_record procd_add_interface_trigger "$@"; }
procd_add_reload_interface_trigger() { _procd_record procd_add_reload_interface_trigger "$@"; }
procd_send_signal() { _procd_record procd_send_signal "$@"; }
procd_kill() { _procd_record procd_kill "$@"; }

# As in procd.sh, the triggers are collected while the service is being closed.
procd_close_service() {
	_procd_record procd_open_trigger
	service_triggers
	_procd_record procd_close_trigger
	_procd_record procd_close_service "$@"
}
