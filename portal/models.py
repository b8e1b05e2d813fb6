"""Models arrive with the portal issue."""
