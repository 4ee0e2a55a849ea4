from obelisk_app.layout.template import template

__all__ = ["template"]
