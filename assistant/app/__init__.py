"""Edges: the ``lobby`` command line (and, next, the web app). Thin: parse, call a service, render."""
