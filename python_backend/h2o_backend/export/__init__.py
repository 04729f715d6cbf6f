"""Model export: the saved-model file format, the POJO generator."""
