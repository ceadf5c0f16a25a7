"""码表: the code tables of the enumerated columns, their synonyms, and adding or removing a county's synonym."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ..forms import StyledForm
from ..models import Synonym
from ..scope import get_object_for, user_can
from ..synonyms import add_synonym, remove_synonym
from ..vocabulary import Vocabulary, all_vocabularies, vocabulary


class SynonymForm(StyledForm):
    text = forms.CharField(label="写法（文件中出现的值）", max_length=100)
    value = forms.ChoiceField(label="对应的标准值")

    def __init__(self, *args, table: Vocabulary, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value"].choices = table.choices(blank="请选择")


def _table(key: str) -> Vocabulary:
    try:
        return vocabulary(key)
    except KeyError:
        raise Http404("没有这个码表") from None


def _need_view(request) -> None:
    if not user_can(request.user, Synonym, "view"):
        raise PermissionDenied("您的角色不能查看码表")


def vocabulary_list(request):
    _need_view(request)
    added = dict(
        Synonym.objects.restrict(request.user, "view")
        .values("vocabulary")
        .annotate(n=Count("id"))
        .values_list("vocabulary", "n")
    )
    tables = [{"table": t, "added": added.get(t.key, 0)} for t in all_vocabularies()]
    return render(request, "core/vocabulary_list.html", {"title": "码表", "tables": tables})


def vocabulary_detail(request, key: str, form: SynonymForm | None = None, status: int = 200):
    _need_view(request)
    table = _table(key)
    synonyms = Synonym.objects.restrict(request.user, "view").filter(vocabulary=key).select_related("created_by")
    deletable = set(
        Synonym.objects.restrict(request.user, "delete").filter(vocabulary=key).values_list("pk", flat=True)
    )
    by_value: dict[str, list[Synonym]] = {}
    for synonym in synonyms:
        by_value.setdefault(synonym.value, []).append(synonym)
    terms = [
        {
            "term": term,
            "builtin": [s for s in term.spellings if s not in (term.value, term.code, term.name)],
            "added": by_value.get(term.value, []),
        }
        for term in table.terms
    ]
    can_add = user_can(request.user, Synonym, "add")
    context = {
        "title": f"码表：{table.title}",
        "table": table,
        "terms": terms,
        "deletable": deletable,
        "form": form or (SynonymForm(table=table) if can_add else None),
    }
    return render(request, "core/vocabulary_detail.html", context, status=status)


def _back(request, fallback: str):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(fallback)


@require_POST
def synonym_add(request, key: str):
    table = _table(key)
    if not user_can(request.user, Synonym, "add"):
        raise PermissionDenied("您的角色不能维护码表")
    form = SynonymForm(request.POST, table=table)
    if form.is_valid():
        try:
            synonym = add_synonym(user=request.user, vocabulary=key, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error("text", exc.messages[0])
        else:
            messages.success(request, f"已添加同义词：{table.title}“{synonym.text}”→“{table.name_of(synonym.value)}”")
            return _back(request, reverse("core:vocabulary_detail", args=[key]))
    if request.POST.get("next"):
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return _back(request, reverse("core:vocabulary_detail", args=[key]))
    return vocabulary_detail(request, key, form=form, status=400)


@require_POST
def synonym_delete(request, pk: int):
    synonym = get_object_for(request.user, Synonym, "delete", pk=pk)
    remove_synonym(user=request.user, synonym=synonym)
    messages.success(request, f"已删除同义词“{synonym.text}”")
    return redirect("core:vocabulary_detail", key=synonym.vocabulary)
