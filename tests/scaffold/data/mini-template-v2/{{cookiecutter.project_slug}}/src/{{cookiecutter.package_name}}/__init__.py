"""{{ cookiecutter.project_slug }}: a tiny fixture project."""

USE_CASE = {{ cookiecutter._use_case | tojson }}
PROJECT_NAME = {{ cookiecutter.project_name | tojson }}
