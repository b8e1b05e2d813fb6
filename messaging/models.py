"""Models arrive with the messaging issue."""
