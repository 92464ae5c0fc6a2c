"""Stages 1–2: read data files, check every cell and rule, mask, prepare the dataset (cached per file)."""
