"""The WSGI entry point: `flask --app wsgi ...`, or `gunicorn wsgi:app`."""

import gc

from admin_app import create_app

app = create_app()
# What start-up made lives as long as the process: kept out of the garbage collector's full
# passes, which otherwise walk it all again and again (a page that makes many objects, as a
# month of 900 activities does, paused for 100 ms one time in ten).
gc.collect()
gc.freeze()
