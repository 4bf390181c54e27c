"""The web front of Thresher (``thresher serve``): the inspector and the HTTP extraction API.

Needs the ``web`` extra (``pip install 'thresher[web]'``). Import :func:`thresher.web.server.serve`
or :func:`thresher.web.server.create_app`; this package imports nothing heavy by itself.
"""
