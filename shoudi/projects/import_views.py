"""导入项目清单: upload the existing project list, see every row and error (nothing written), then confirm to enter
them all in the library."""

from __future__ import annotations

from shoudi.core.views.list_import import ListImport

from . import services
from .forms import ImportForm
from .importing import import_projects, read_project_list
from .models import Project

__all__ = ["project_import"]

project_import = ListImport(
    model=Project,
    title="导入项目清单",
    form_class=ImportForm,
    template="projects/project_import.html",
    folder="projects",
    read=read_project_list,
    write=import_projects,
    done=lambda count: f"已导入 {count} 个项目",
    here="projects:project_import",
    done_url="projects:project_list",
    context_name="projects",
    refusals=(services.TransitionRefused,),
).view
