"""What the report reads: the dataset, its provenance, its catalogs, the config to check."""
