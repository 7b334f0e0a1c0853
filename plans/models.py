"""Models arrive with this app's issue; the app is registered so that it has a home."""
