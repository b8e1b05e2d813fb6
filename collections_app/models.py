"""Models arrive with the collections_app issue."""
