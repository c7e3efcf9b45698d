THRESHOLD = {{ cookiecutter.confidence_threshold }}
