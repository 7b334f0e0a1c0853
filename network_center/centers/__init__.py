"""Centers of network interaction, their participants, cooperation agreements and working groups."""
