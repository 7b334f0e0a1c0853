"""In-app notifications and e-mail, used by every app; it knows only ``schools`` and the users."""
