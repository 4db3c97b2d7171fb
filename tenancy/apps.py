from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "tenancy"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.conf import settings
        from django.db.models.signals import post_save, pre_save

        from tenancy import bulk, receivers, token_admin  # noqa: F401  (bulk: the among lookup)

        user_model = settings.AUTH_USER_MODEL
        pre_save.connect(receivers.note_password_change, sender=user_model)
        post_save.connect(receivers.revoke_tokens_on_password_change, sender=user_model)
        token_admin.register()
