# Shared by the Windows smoke tests and the bench (sourced, not run): a free
# loopback port and the smallest lojald.ini that starts offline anywhere (no
# camera, no kiosk, the SMS templates of this checkout). Callers append their
# own sections ([tokens], [device.*], [log]).
#   . packaging/windows/smoke-lib.sh

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# minimal_config PORT DATABASE: prints the config's common sections.
minimal_config() {
    local top
    top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
    cat <<INI
[server]
listen = 127.0.0.1:$1
[database]
path = $2
[camera]
enabled = off
[kiosk]
enabled = off
[sms]
templates_dir = $top/daemon/sms/templates
INI
}
