"""REST handlers, one module per resource, each exposing ROUTES. A handler decodes the request,
calls the engine or the store, and serialises; handlers share helpers through server/ modules
(lookup, model_builder, job_json, ...), never through each other."""
