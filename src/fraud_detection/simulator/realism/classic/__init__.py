"""v1 and v2: the spec's row recipe over Zipf catalogs, labeled by a logistic draw plus bursts.

``catalog`` (the spec's catalog module), ``labeler`` (the spec's labeler), ``recipe`` (what v1
and v2 share), ``v1``, ``v2``, ``settings`` (the labeler section).
"""
