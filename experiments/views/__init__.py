"""HTML pages of experiments (one module per page area)."""
