"""Fraud: who is a victim, when, and how it shows.

``labeler`` is v1/v2's risk-weighted logistic draw plus merchant bursts.
"""
