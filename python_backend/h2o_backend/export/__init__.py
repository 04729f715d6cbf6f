"""Model export: the saved-model file format and the POJO (one plain Java class) generator.
Imports the engine's model, activations and data preparation; nothing from server or webui."""
