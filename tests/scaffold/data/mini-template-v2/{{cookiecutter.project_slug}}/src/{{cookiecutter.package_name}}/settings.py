CONFIDENCE_THRESHOLD = float("{{ cookiecutter.confidence_threshold }}")
REVIEW_SAMPLE_RATE = {{ cookiecutter.review_sample_rate }}
REVIEW_ALL = {{ cookiecutter.review_all }}
MAX_ERROR_RATE = {{ cookiecutter.max_error_rate }}
CACHE_TTL_SECONDS = {{ cookiecutter.cache_ttl_seconds }}
