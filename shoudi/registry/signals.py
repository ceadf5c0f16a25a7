"""Signals the registry sends; higher apps (monitoring) listen, the registry imports none of them."""

from django.dispatch import Signal

# Sent after a household import is committed: households_imported.send(sender=None, household_ids=[...], user=...)
households_imported = Signal()
