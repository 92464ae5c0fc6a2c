"""Residents' personal data: one detector for masking, checking and the output scan."""
