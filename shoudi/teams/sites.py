"""The 驻村工作队 section of a 易地扶贫搬迁安置点's page (registry store ``site_panels``): the team stationed in the
site's community, its 后盾单位 and current members (S000 附件1 三.5)."""

from __future__ import annotations

from django.template.loader import render_to_string

from .models import Team, TeamMember

__all__ = ["site_panel"]


def site_panel(request, site) -> str | None:
    """The team of the site's community as the user may see it; None for a user who may not see teams."""
    teams = Team.objects.restrict(request.user, "view")
    if site.community_id is None or not teams.exists():
        return None
    team = teams.filter(village_id=site.community_id).select_related("unit", "village").first()
    members = []
    if team is not None:
        members = TeamMember.objects.restrict(request.user, "view").filter(team=team, end_date__isnull=True)
    return render_to_string("teams/_site_panel.html", {"team": team, "members": members, "site": site}, request=request)
