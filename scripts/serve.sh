#!/usr/bin/env bash
# The demo's two processes: the background task worker and the web server.
# Ctrl+C, TERM or a hang-up stop both with one TERM each (the worker finishes the task it is
# running); when either one exits, the other is stopped too, so nothing keeps the port.
# Usage: scripts/serve.sh PYTHON GUNICORN PORT   (environment as `make demo` sets it)
set -u
py=$1 gunicorn=$2 port=$3
setsid "$py" manage.py db_worker --no-startup-delay &
worker=$!
setsid "$gunicorn" kechuang.wsgi --bind "127.0.0.1:$port" --workers 2 --access-logfile - &
web=$!
stop() {
	trap - EXIT INT TERM HUP
	kill -TERM "$web" "$worker" 2>/dev/null
	wait
	exit 0
}
trap stop EXIT INT TERM HUP
wait -n "$web" "$worker"
