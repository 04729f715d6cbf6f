"""REST handlers, one module per resource. Handlers parse, call the engine or store, serialise."""
