# Stand-in for libubox's /usr/share/libubox/jshn.sh (OpenWrt's jshn is not packaged for
# Debian). Only flat objects: json_init, json_add_string, json_add_int, json_add_boolean,
# json_dump. Like the real file, values are kept in shell variables assigned from "$2"
# (never evaluated), and json_dump hands them to a separate program through the
# environment (the real one runs `jshn -w`; this one runs jshn-dump.cjs with node).

_JSHN_DIR=${JSHN_STANDIN_DIR:?JSHN_STANDIN_DIR must name the directory of jshn-dump.cjs}

json_init() {
	_JSHN_N=0
}

_json_add() {
	_JSHN_N=$((_JSHN_N + 1))
	eval "_JSHN_T$_JSHN_N=\$1; _JSHN_K$_JSHN_N=\$2; _JSHN_V$_JSHN_N=\$3"
	export "_JSHN_T$_JSHN_N" "_JSHN_K$_JSHN_N" "_JSHN_V$_JSHN_N"
}

json_add_string() { _json_add string "$1" "$2"; }
json_add_int() { _json_add int "$1" "$2"; }
json_add_boolean() { _json_add boolean "$1" "$2"; }

json_dump() {
	_JSHN_N=$_JSHN_N node "$_JSHN_DIR/jshn-dump.cjs"
}
