"""The assistance section of the household page: cadre, measures (with suggestions), visits, problems,
assessments."""

from django.template.loader import render_to_string

from shoudi.core.scope import user_can
from shoudi.registry.models import Household

from .forms import PairForm
from .models import Assessment, GuaranteeProblem, Measure, Pairing, Visit
from .suggestions import suggest_measures


def household_panel(request, household: Household) -> str:
    user = request.user
    pairings = Pairing.objects.restrict(user, "view").filter(household=household).select_related("cadre")
    context = {
        "household": household,
        "pairing": next((p for p in pairings if p.end_date is None), None),
        "past_pairings": [p for p in pairings if p.end_date is not None],
        "measures": Measure.objects.restrict(user, "view").filter(household=household),
        "visits": Visit.objects.restrict(user, "view").filter(household=household).prefetch_related("photos")[:10],
        "problems": GuaranteeProblem.objects.restrict(user, "view").filter(household=household),
        "assessments": Assessment.objects.restrict(user, "view").filter(household=household)[:8],
        "suggestions": suggest_measures(household),
        "can_pair": user_can(user, Pairing, "add"),
        "pair_form": PairForm(user=user, auto_id="id_pair_%s") if user_can(user, Pairing, "add") else None,
        "can_measure": user_can(user, Measure, "add"),
        "can_visit": user_can(user, Visit, "add"),
    }
    return render_to_string("assistance/_household_panel.html", context, request=request)


def case_panel(request, case) -> str:
    """On the case page: the paired cadre, the measures, and the quarterly assessment for identified cases."""
    from shoudi.monitoring import choices as mc

    from .models import Assessment

    pairing = (
        Pairing.objects.restrict(request.user, "view")
        .filter(household=case.household_id, end_date__isnull=True)
        .select_related("cadre")
        .first()
    )
    context = {
        "case": case,
        "pairing": pairing,
        "measures": Measure.objects.restrict(request.user, "view").filter(household=case.household_id)[:10],
        "assessments": Assessment.objects.restrict(request.user, "view").filter(case=case)[:4],
        "can_assess": case.identified_on is not None
        and case.step == mc.MONITORING
        and user_can(request.user, Assessment, "add"),
        "can_measure": user_can(request.user, Measure, "add"),
    }
    return render_to_string("assistance/_case_panel.html", context, request=request)
