"""v3's behavioural world: places, merchants, people and their habits, and how they pay.

``build`` makes the catalog tables once on the driver; ``population`` turns them into the
arrays a worker draws from; ``behaviour`` is how a person pays (merchant, amount, channel,
device), used for everyday payments and by fraud typologies that imitate them.
"""
