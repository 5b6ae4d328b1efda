"""Checks with a verdict: schema, fidelity to the config, catalog consistency, leakage."""
