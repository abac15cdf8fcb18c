from django.apps import AppConfig


class ShapesConfig(AppConfig):
    """Test-only models, one for every shape the declaration API supports."""

    name = "coursekeeper.privacy.tests.shapes"
    label = "privacy_shapes"
