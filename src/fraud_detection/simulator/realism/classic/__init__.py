"""v1 and v2: the spec's row recipe over Zipf catalogs, labeled by the logistic draw."""
