"""edits.rename_project: the Qt-free edit behind File ▸ Rename Project…"""

import pytest

from engine.project import Project, edits


def test_rename_collapses_whitespace_and_survives_a_save(tmp_path):
    project = Project.course()
    edits.rename_project(project, "  Roast\tquality \n model ")
    assert project.name == "Roast quality model"
    project.save(tmp_path / "file name.nnproj")
    assert Project.load(tmp_path / "file name.nnproj").name == "Roast quality model"


@pytest.mark.parametrize("name", ["", "   ", "x" * (edits.MAX_NAME_LENGTH + 1)])
def test_rename_refuses_an_empty_or_overlong_name(name):
    project = Project.course()
    with pytest.raises(ValueError, match="Received"):
        edits.rename_project(project, name)
    assert project.name != name
