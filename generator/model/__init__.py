"""Stages 3–4: the published lists as plain objects, and every figure, light and rate computed from them."""
