"""The demo account, Summit Ridge Builders: its data tables (:mod:`demo.data`) and the code
that writes them (:func:`demo.seed.seed_demo`, ``manage.py seed_demo``).

The top layer of the project: it may import any app, and no app imports it. This package
module imports nothing, so that :mod:`demo.data` stays importable without Django set up.
"""
