"""导入问题清单: upload a list, see every row and error (nothing written), then confirm to issue them all."""

from __future__ import annotations

from shoudi.core.views.list_import import ListImport

from . import services
from .forms import ImportForm
from .importing import import_problems, read_problem_list
from .models import Problem

__all__ = ["problem_import"]

problem_import = ListImport(
    model=Problem,
    title="导入问题清单",
    form_class=ImportForm,
    template="work/problem_import.html",
    folder="problems",
    read=read_problem_list,
    write=import_problems,
    done=lambda count: f"已下发 {count} 个问题",
    here="work:problem_import",
    done_url="work:problem_list",
    context_name="problems",
    refusals=(services.TransitionRefused,),
).view
