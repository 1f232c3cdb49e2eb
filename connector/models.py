"""Connections to Paychex Flex and Visma.net ERP, with encrypted credentials and a cached token."""
from __future__ import annotations

from django.db import models
from django.utils import timezone

from connector.fields import SecretField, UndecryptableSecret


class Connection(models.Model):
    """One remote account: a Paychex company or a Visma company (tenant). Several of each are allowed."""

    class System(models.TextChoices):
        PAYCHEX = "paychex", "Paychex Flex"
        VISMA = "visma", "Visma.net ERP"

    name = models.CharField(max_length=100, unique=True)
    system = models.CharField(max_length=16, choices=System.choices)
    is_active = models.BooleanField(default=True, help_text="Inactive connections are not synced or polled.")
    base_url = models.URLField(help_text="API root, e.g. https://api.paychex.com or https://api.finance.visma.net")
    token_url = models.URLField(help_text="OAuth2 token endpoint.")
    client_id = models.CharField(max_length=255)
    client_secret = SecretField(null=True, blank=True)
    secret_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    company_id = models.CharField(
        max_length=64,
        blank=True,
        help_text="Paychex companyId; for Visma the optional ipp-company-id header value.",
    )
    tenant_id = models.CharField(max_length=64, blank=True, help_text="Visma Connect tenant_id (company tenant GUID).")
    destination = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sources",
        limit_choices_to={"system": "visma"},
        help_text="Paychex only: the Visma company that receives this company's workers.",
    )

    # Credentials Paychex uses to call our webhook receiver (generated when hooks are registered).
    webhook_username = models.CharField(max_length=64, blank=True, editable=False)
    webhook_password = SecretField(null=True, blank=True, editable=False)
    registered_hook_ids = models.JSONField(default=list, blank=True, editable=False)
    # The credentials replaced by the last registration stay valid for a grace period: deliveries Paychex
    # queued for the old hook are retried with them, and must not be refused (and so lost).
    previous_webhook_username = models.CharField(max_length=64, blank=True, editable=False)
    previous_webhook_password = SecretField(null=True, blank=True, editable=False)
    previous_webhook_valid_until = models.DateTimeField(null=True, blank=True, editable=False)
    # Visma Developer Portal signing key for webhooks sent by Visma (HMAC-SHA256).
    webhook_signing_key = SecretField(null=True, blank=True)

    # Token cache shared by every process.
    access_token = SecretField(null=True, blank=True, editable=False)
    token_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    token_lifetime_seconds = models.PositiveIntegerField(null=True, blank=True, editable=False)

    # Health, as last observed.
    last_check_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_check_ok = models.BooleanField(null=True, editable=False)
    last_check_message = models.CharField(max_length=500, blank=True, editable=False)
    last_success_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.CharField(max_length=500, blank=True, editable=False)
    last_error_at = models.DateTimeField(null=True, blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["system", "name"]
        permissions = [("test_connection", "Can test connections"), ("register_webhooks", "Can register webhooks")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_system_display()})"

    @property
    def has_secret(self) -> bool:
        return bool(self.client_secret)

    @property
    def secret_is_undecryptable(self) -> bool:
        return any(
            isinstance(value, UndecryptableSecret)
            for value in (
                self.client_secret,
                self.webhook_password,
                self.previous_webhook_password,
                self.access_token,
                self.webhook_signing_key,
            )
        )

    def set_client_secret(self, value: str) -> None:
        """Replace the client secret and forget the cached token made with the old one."""
        self.client_secret = value
        self.secret_changed_at = timezone.now()
        self.access_token = None
        self.token_expires_at = None
