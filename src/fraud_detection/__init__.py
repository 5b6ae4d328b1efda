"""Fraud-detection tooling; the synthetic data generator lives in ``fraud_detection.simulator``."""
