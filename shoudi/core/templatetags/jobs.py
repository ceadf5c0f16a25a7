"""``{% job_progress job %}``: the one progress display of a background job, on its own page and on every page that
waits for one (a household import, a match run)."""

from __future__ import annotations

from django import template

from shoudi.core.jobs.views import progress_context

register = template.Library()


@register.inclusion_tag("core/_job_progress.html")
def job_progress(job, *, poll: bool = True, reload: bool = False) -> dict:
    """The job's state, counts, bar and failure. ``poll``: the display follows the job every second until it has
    finished (off on the job's page, whose whole status section is polled); ``reload``: the page reloads once the job
    has finished, for pages that show what the job produced."""
    return progress_context(job, poll=poll, reload=reload)
