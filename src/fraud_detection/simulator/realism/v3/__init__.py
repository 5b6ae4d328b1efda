"""v3: a behavioural world where cards belong to people, and fraud arrives as episodes.

``realism`` (the ``V3`` object), ``settings`` (the population and fraud sections), ``plan``
(local-time chunk plan), ``world/`` (people, places and how they pay), ``fraud/`` (episodes of
six typologies, presets, report latency).
"""
