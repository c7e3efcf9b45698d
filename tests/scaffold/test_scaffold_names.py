"""Project and package names: the documented derivation rule, and validation of given names."""

from __future__ import annotations

import pytest

from assessor.scaffold.names import (
    NameError_,
    derive_package,
    derive_slug,
    validate_package,
    validate_slug,
)


@pytest.mark.parametrize(
    ("text", "slug", "package"),
    [
        ("Refund policy assistant", "refund-policy-assistant", "refund_policy_assistant"),
        ("Café résumé triage", "cafe-resume-triage", "cafe_resume_triage"),
        ("../x", "x", "x"),
        ("/abs", "abs", "abs"),
        ("C:\\x", "c-x", "c_x"),
        ("x/../../y", "x-y", "x_y"),
        (".", "ai-service", "ai_service"),
        ("", "ai-service", "ai_service"),
        ("日本語", "ai-service", "ai_service"),
        ("2024 triage", "ai-2024-triage", "ai_2024_triage"),
        ("{{ 7*7 }}", "ai-7-7", "ai_7_7"),
        ("  --Loud!!  NAME--  ", "loud-name", "loud_name"),
        ("Pytest", "pytest-service", "pytest_service"),
        ("Email", "email-service", "email_service"),
        ("class", "class-service", "class_service"),
        ("FastAPI", "fastapi-service", "fastapi_service"),
    ],
)
def test_derived_names_follow_the_documented_rule(text: str, slug: str, package: str) -> None:
    assert derive_slug(text) == slug
    assert derive_package(slug) == package
    assert validate_slug(slug) == slug
    assert validate_package(package) == package


def test_long_names_are_cut_at_a_dash_within_the_limit() -> None:
    slug = derive_slug("Customer refund policy question answering assistant for the web shop")
    assert slug == "customer-refund-policy-question"
    assert derive_slug("é" * 200) == "e" * 40
    assert derive_slug("1" * 100) == "ai-" + "1" * 37


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "project name is empty"),
        ("   ", "project name is empty"),
        ("../x", "is a path"),
        ("/abs", "is a path"),
        ("C:\\x", "is a path"),
        ("C:x", "is a path"),
        ("x/../../y", "is a path"),
        (".", "is a path"),
        ("..", "is a path"),
        ("a\x01b", "control character U+0001"),
        ("a\nb", "control character U+000A"),
        ("a\u202eb", "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
        ("é" * 130, "longer than 255 bytes"),
        ("a" * 41, "longer than 40 characters"),
        ("My Service", "for example 'my-service'"),
        ("my_service", "for example 'my-service'"),
        ("9lives", "starting with a letter"),
        ("a--b", "single dashes"),
        ("pytest", "for example 'pytest-service'"),
    ],
)
def test_given_project_names_are_validated_not_slugified(value: str, message: str) -> None:
    with pytest.raises(NameError_) as caught:
        validate_slug(value)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "package name is empty"),
        ("../x", "is a path"),
        ("my-pkg", "for example 'my_pkg'"),
        ("My_Pkg", "lowercase Python identifier"),
        ("_private", "lowercase Python identifier"),
        ("import", "for example 'import_service'"),
        ("json", "standard-library module"),
        ("fastapi", "dependency of the generated project"),
        ("pkg\u2066", "U+2066"),
    ],
)
def test_given_package_names_are_validated(value: str, message: str) -> None:
    with pytest.raises(NameError_) as caught:
        validate_package(value)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("text", "slug", "package"),
    [
        ("Test", "test-service", "test_service"),  # the stdlib's own test package
        ("Click", "click-service", "click_service"),  # installed by uvicorn
        ("H11", "h11-service", "h11_service"),
        ("Uvicorn", "uvicorn-service", "uvicorn_service"),
        ("Python multipart", "python-multipart-service", "python_multipart_service"),
    ],
)
def test_names_that_shadow_the_stdlib_or_a_dependency_get_a_suffix(
    text: str, slug: str, package: str
) -> None:
    assert derive_slug(text) == slug
    assert derive_package(slug) == package


def test_every_dependency_of_the_template_is_refused_with_a_suggestion() -> None:
    from assessor.scaffold.names import template_dependencies

    deps = template_dependencies()
    assert {"fastapi", "uvicorn", "pydantic", "sqlalchemy", "hatchling"} <= deps
    for name in sorted(deps | {"click", "test", "h11", "anyio", "starlette"}):
        with pytest.raises(NameError_, match=f"for example '{name}-service'"):
            validate_slug(name)
        package = name.replace("-", "_")
        with pytest.raises(NameError_, match=f"for example '{package}_service'"):
            validate_package(package)


def test_scaffold_refuses_a_dependency_name_before_writing(tmp_path, cli, assessment) -> None:
    case = assessment()
    out = tmp_path / "out"
    result = cli("scaffold", case, "-o", out, "--no-input", "--name", "click")
    assert result.exit_code == 2
    assert "project name 'click' clashes" in result.stderr
    assert "for example 'click-service'" in result.stderr
    assert not out.exists()
