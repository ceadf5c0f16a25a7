"""The signal the household import still sends after a commit (``households_imported``). No app listens to it for
work: what must follow an import is a registered post-import step, run and logged by the import job
(registry/jobs.py). It goes once the import names its households on its result (``household_ids``)."""

from django.dispatch import Signal

# Sent after a household import is committed: households_imported.send(sender=None, household_ids=[...], user=...)
households_imported = Signal()
