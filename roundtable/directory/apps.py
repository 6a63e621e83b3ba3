from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "roundtable.directory"
    label = "directory"
    verbose_name = "Directory"

    def ready(self) -> None:
        from roundtable.core import idempotency
        from roundtable.directory import access  # noqa: F401  (registers access policies)
        from roundtable.directory.services import api_token_authenticate

        idempotency.token_readers.add("directory", api_token_authenticate)
