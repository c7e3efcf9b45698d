"""Settings: ``.env.example`` documents every one, and its values are valid."""

from {{ cookiecutter.package_name }}.settings import Settings

from .conftest import PROJECT


def example_values() -> dict[str, str]:
    values = {}
    for line in (PROJECT / ".env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def test_env_example_lists_every_setting() -> None:
    documented = set(example_values())
    expected = {f"APP_{name.upper()}" for name in Settings.model_fields}

    assert documented == expected


def test_env_example_values_are_valid(monkeypatch) -> None:
    for name, value in example_values().items():
        monkeypatch.setenv(name, value)

    settings = Settings(_env_file=None)

    assert settings.llm_provider == "fake"
    assert settings.database_url.startswith("sqlite+pysqlite:")


def test_every_setting_is_documented_in_its_docstring() -> None:
    for name, field in Settings.model_fields.items():
        assert field.description, f"{name} has no description"
