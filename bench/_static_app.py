"""The smallest WSGI app: one fixed response. bench/load.py serves it with the same
gunicorn settings as the clinic app and loads it at the same request rate, so the figures
show what gunicorn, loopback and the load generator cost on this machine before the app
does anything."""

BODY = b"<!doctype html><title>ok</title><p>ok</p>\n"


def app(environ, start_response):
    start_response(
        "200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(BODY)))]
    )
    return [BODY]
