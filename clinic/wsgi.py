import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")

application = get_wsgi_application()

# Everything loaded so far lives as long as the worker. Freezing it keeps the cyclic
# garbage collector's full passes to per-request objects; without this an occasional full
# pass over the whole heap added ~50 ms to one request in twenty (bench/evaluation.py).
gc.freeze()
