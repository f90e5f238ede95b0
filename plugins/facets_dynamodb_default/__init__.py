"""The bundled flavor plugin: Facets ``dynamodb`` / ``default`` / ``0.2``.

Loaded by the host through the ``facets_dynamo`` entry point ``dynamodb_default``; see ``plugin.py``.
"""
