from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "roundtable.directory"
    label = "directory"
    verbose_name = "Directory"

    def ready(self) -> None:
        from roundtable.directory import access  # noqa: F401  (registers access policies)
