"""The app's pages: ``mentoring`` (pairs and meetings), ``groups`` (interaction groups),
``people`` (a person's pairs and groups)."""
