"""Stage 5: view-models, one declaration per page kind, page digests, charts and the Pelican renderer."""
