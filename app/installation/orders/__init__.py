"""Installation orders: the matrix of seed/workflows/installation.yaml, its pages and API."""
