"""``render_project`` as a library, on a tiny real cookiecutter template (tests/scaffold/data).

Also pins down the cookiecutter behaviour the scaffold's safety rests on: cookiecutter renders
top-level context values as Jinja, and copies ``_``-prefixed ones raw.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from scaffold_support import MINI_TEMPLATE, REAL_TEMPLATE

from assessor.app.batch import score_loaded
from assessor.domain.load import load_assessment
from assessor.errors import ScaffoldError, UsageError
from assessor.scaffold import render_project

PACKAGE = "src/refund_policy_assistant"


def test_cookiecutter_renders_top_level_values_and_copies_underscore_values_raw() -> None:
    """Why the scaffold protects project_name, and why _use_case needs no protection."""
    from cookiecutter.generate import generate_context
    from cookiecutter.prompt import prompt_for_config

    for template in (MINI_TEMPLATE, REAL_TEMPLATE):
        context = generate_context(
            context_file=str(template / "cookiecutter.json"),
            extra_context={
                "project_name": "{{ 7*7 }}",
                "_use_case": {"name": "{{ 7*7 }}", "description": "{% if true %}x{% endif %}"},
            },
        )
        values = prompt_for_config(context, no_input=True)
        assert values["project_name"] == "49"
        assert values["_use_case"]["name"] == "{{ 7*7 }}"
        assert values["_use_case"]["description"] == "{% if true %}x{% endif %}"


def test_renders_the_project_with_the_plan(assessment: Callable[..., Path], tmp_path: Path) -> None:
    steps: list[str] = []
    case = assessment()
    out = render_project(
        load_assessment(case), tmp_path / "out", template=MINI_TEMPLATE, progress=steps.append
    )
    assert out == tmp_path / "out"
    package = out / PACKAGE
    assert sorted(p.name for p in package.iterdir()) == [
        "__init__.py",
        "cache.py",
        "confidence.py",
        "review_templates",
        "settings.py",
    ]
    settings = (package / "settings.py").read_text()
    assert "CONFIDENCE_THRESHOLD = 0.99\n" in settings
    assert "REVIEW_SAMPLE_RATE = 0.05\n" in settings
    assert "REVIEW_ALL = False\n" in settings
    assert "MAX_ERROR_RATE = 0.01\n" in settings
    assert "CACHE_TTL_SECONDS = 3600\n" in settings
    assert "Task type: rag." in (out / "README.md").read_text()
    # copied without rendering: the runtime template keeps its Jinja
    page = MINI_TEMPLATE / "{{cookiecutter.project_slug}}/src/{{cookiecutter.package_name}}"
    assert (package / "review_templates/page.html").read_bytes() == (
        page / "review_templates/page.html"
    ).read_bytes()
    assert (out / "assessment.yaml").read_bytes() == case.read_bytes()
    assert json.loads((out / "assessment.score.json").read_text())["verdict"] == "ready"
    assert steps == [
        "rendering the template",
        "checking the rendered files",
        f"placing the files into {tmp_path / 'out'}",
    ]


def test_forced_patterns_get_default_parameters(
    assessment: Callable[..., Path], tmp_path: Path
) -> None:
    # low error cost: no fallback and a long cache TTL by the rubric's policy
    case = assessment(answers={"error_cost": "low", "realtime": False})
    out = render_project(
        load_assessment(case),
        tmp_path / "out",
        template=MINI_TEMPLATE,
        with_patterns=["human_fallback"],
        without_patterns=["async_pipeline", "response_cache"],
    )
    package = out / PACKAGE
    assert (package / "confidence.py").exists()
    assert not (package / "cache.py").exists()
    assert not (package / "jobs.py").exists()
    settings = (package / "settings.py").read_text()
    assert "REVIEW_SAMPLE_RATE = 0.01\n" in settings  # the rubric's policy for low cost
    assert "MAX_ERROR_RATE = 0.1\n" in settings
    assert "CACHE_TTL_SECONDS = 86400\n" in settings


def test_review_all_follows_the_assessment(assessment: Callable[..., Path], tmp_path: Path) -> None:
    case = assessment(answers={"autonomy": "human_approves"})
    out = render_project(load_assessment(case), tmp_path / "out", template=MINI_TEMPLATE)
    assert "REVIEW_ALL = True\n" in (out / PACKAGE / "settings.py").read_text()


def test_a_result_without_its_file_gets_a_rebuilt_assessment_copy(
    assessment: Callable[..., Path], tmp_path: Path
) -> None:
    loaded = load_assessment(assessment())
    result = score_loaded(loaded)
    out = render_project(result, tmp_path / "out", template=MINI_TEMPLATE)
    copy = out / "assessment.yaml"
    assert yaml.safe_load(copy.read_text())["use_case"]["name"] == "Refund policy assistant"
    rescored = score_loaded(load_assessment(copy))
    assert rescored.model_dump() == result.model_dump()


def test_user_text_stays_literal_with_every_jinja_construct(
    assessment: Callable[..., Path], tmp_path: Path
) -> None:
    nasty = "{{ 7*7 }} {% for x in range(10**9) %}{% endfor %} {# c #} {{ cycler.__init__ }}"
    case = assessment(use_case={"name": nasty, "description": nasty, "owner": nasty})
    out = render_project(
        load_assessment(case), tmp_path / "out", template=MINI_TEMPLATE, project_slug="nasty"
    )
    readme = (out / "README.md").read_text()
    assert readme.startswith(f"# {nasty}\n\n{nasty}\n\nOwner: {nasty}.")
    init = (out / "src/nasty/__init__.py").read_text()
    assert json.dumps(nasty).replace("'", "\\u0027") in init


def test_a_failing_hook_leaves_nothing_behind(
    assessment: Callable[..., Path], tmp_path: Path
) -> None:
    broken = tmp_path / "broken-template"
    shutil.copytree(MINI_TEMPLATE, broken)
    (broken / "hooks/post_gen_project.py").write_text("import sys\nsys.exit(3)\n")
    parent = tmp_path / "parent"
    parent.mkdir()
    with pytest.raises(ScaffoldError, match="Hook script failed"):
        render_project(load_assessment(assessment()), parent / "a/b/out", template=broken)
    assert list(parent.iterdir()) == []


def test_a_symlink_in_the_template_is_refused(
    assessment: Callable[..., Path], tmp_path: Path
) -> None:
    linked = tmp_path / "linked-template"
    shutil.copytree(MINI_TEMPLATE, linked)
    (linked / "{{cookiecutter.project_slug}}/secret").symlink_to("/etc/hostname")
    with pytest.raises(ScaffoldError, match="symlink"):
        render_project(load_assessment(assessment()), tmp_path / "out", template=linked)
    assert not (tmp_path / "out").exists()


def test_a_template_path_that_would_leave_the_project_is_refused(
    assessment: Callable[..., Path], tmp_path: Path
) -> None:
    escaping = tmp_path / "escaping-template"
    shutil.copytree(MINI_TEMPLATE, escaping)
    dotdot = escaping / "{{cookiecutter.project_slug}}/{{ '.' ~ '.' }}"
    dotdot.mkdir()
    (dotdot / "escaped.txt").write_text("outside")
    with pytest.raises(ScaffoldError, match=r"renders to the unsafe name '\.\.'"):
        render_project(load_assessment(assessment()), tmp_path / "out", template=escaping)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case.yaml", "escaping-template"]


def test_names_given_to_the_library_are_validated(
    assessment: Callable[..., Path], tmp_path: Path
) -> None:
    loaded = load_assessment(assessment())
    with pytest.raises(UsageError, match="is a path"):
        render_project(loaded, tmp_path / "out", template=MINI_TEMPLATE, project_slug="../x")
    with pytest.raises(UsageError, match="package name"):
        render_project(loaded, tmp_path / "out", template=MINI_TEMPLATE, package_name="a-b")
    with pytest.raises(UsageError, match="U\\+202E"):
        render_project(loaded, tmp_path / "out", template=MINI_TEMPLATE, project_name="a\u202eb")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("pattern", "key", "value", "message"),
    [
        ("async_pipeline", "max_attempts", 0, "max_attempts 0: a whole number from 1 to"),
        ("async_pipeline", "max_attempts", 2.5, "max_attempts 2.5: a whole number from 1 to"),
        ("async_pipeline", "max_attempts", True, "max_attempts True: a whole number from 1 to"),
        ("async_pipeline", "backoff_seconds", -1, "backoff_seconds -1: seconds >= 0"),
        ("async_pipeline", "backoff_seconds", float("inf"), "backoff_seconds inf: seconds >= 0"),
        ("evaluation", "criteria", [], "criteria []: a list of criterion names"),
        ("evaluation", "criteria", ["no spaces"], "criteria ['no spaces']: a list of criterion"),
    ],
)
def test_a_pattern_parameter_out_of_range_is_refused(
    assessment: Callable[..., Path], pattern: str, key: str, value: object, message: str
) -> None:
    from assessor.scaffold.context import plan

    result = score_loaded(load_assessment(assessment(answers={"realtime": False})))
    recommended = {p.id: p for p in result.patterns}
    assert pattern in recommended
    recommended[pattern].params[key] = value
    with pytest.raises(UsageError, match="pattern parameter " + re.escape(message)):
        plan(result)
