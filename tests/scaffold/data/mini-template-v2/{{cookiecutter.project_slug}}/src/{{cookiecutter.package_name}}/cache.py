TTL = {{ cookiecutter.cache_ttl_seconds }}
