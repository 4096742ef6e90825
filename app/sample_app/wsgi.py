"""Entry point for the WSGI server: `gunicorn sample_app.wsgi:app`.

A bad configuration ends the process with the settings message alone (no traceback), so the container
log says what to fix.
"""

from . import ConfigError, create_app

try:
    app = create_app()
except ConfigError as error:
    raise SystemExit(str(error)) from None
