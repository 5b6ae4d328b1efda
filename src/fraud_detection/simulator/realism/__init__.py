"""Realisms: each a whole way of making rows, one folder (or module) each.

``registry`` maps a config's ``realism`` to its object; ``base`` is the interface. A realism's
folder holds its generation, its config sections (``settings.py``, which ``config.realisms``
lists) and its report profile (``profile.py``, which ``profiles`` lists). This package imports
nothing itself, so the config can read a realism's settings without loading its generator.
"""
