from django.apps import AppConfig


class SyncsConfig(AppConfig):
    name = "syncs"
    verbose_name = "ERP syncs"

    def ready(self) -> None:
        from syncs import extensions, receivers, reports  # noqa: F401 (receivers connect on import)

        extensions.register()
        reports.register_all()
