"""gunicorn settings for the sample app container: gunicorn --config gunicorn.conf.py sample_app.wsgi:app"""

import os

# Exactly one worker process: the Logto token store is in-process (sample_app/token_store.py), so a second
# worker would not see the sessions of the first. Threads serve requests concurrently instead.
workers = 1
worker_class = "gthread"
threads = 8
# All interfaces of the container by default; with host networking BIND_ADDRESS keeps it to e.g. 127.0.0.1.
bind = [f"{os.environ.get('BIND_ADDRESS', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"]  # noqa: S104 (the container's own interfaces)
# Load the app in the master: a bad configuration then stops gunicorn at once with its message, instead of
# workers failing to boot one after another.
preload_app = True
# A callback waits up to 15 s for Logto (sample_app/logto_client.py); leave room for it.
timeout = 60
# The heartbeat file on tmpfs, as gunicorn advises for containers.
worker_tmp_dir = "/dev/shm"  # noqa: S108 (a tmpfs the container owns, not a shared temp dir)
# No runtime control socket: nothing uses it, and the non-root user has no home directory to put it in.
control_socket_disable = True
accesslog = "-"
errorlog = "-"
# Path without the query string: /callback?code=... carries a one-time authorization code.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
