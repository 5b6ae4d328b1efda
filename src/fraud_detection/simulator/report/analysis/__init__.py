"""Measurements: the overview, the split, single-column scores, the practitioner's model, labels."""
