"""Mapping tables (Paychex → Visma), the status mapping, per-Visma-company target settings and the
cache of Visma's catalog (departments, dimension segment values, branches)."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from connector.models import Connection

# The sandbox (and the demo) seed cost centers as SUBACCOUNT segment 1 and job titles as SUBACCOUNT
# segment 2; a customer whose chart differs changes these in the admin.
DEFAULT_COST_CENTER_DIMENSION = "SUBACCOUNT"
DEFAULT_COST_CENTER_SEGMENT = 1
DEFAULT_JOB_TITLE_DIMENSION = "SUBACCOUNT"
DEFAULT_JOB_TITLE_SEGMENT = 2
DEFAULT_EMAIL_FALLBACK_PATTERN = "{employee_id}@noemail.invalid"
# The fields an e-mail fallback pattern may use (documented in the README).
EMAIL_PATTERN_FIELDS = {"employee_id": "1001", "worker_id": "00ABCDEF0123456789AB"}


class Kind(models.TextChoices):
    """What a mapping row maps; also the `kind` of the mapping_changed signal."""

    ORGANIZATION = "organization", "Organization → cost center"
    JOB_TITLE = "job_title", "Job title → dimension value"
    LOCATION = "location", "Location → branch"
    STATUS = "status", "Status"


class TargetSettings(models.Model):
    """Where things live in one Visma company, and the defaults Visma's employee create requires."""

    class CostCenterTarget(models.TextChoices):
        DEPARTMENT = "department", "Department (/v1/department)"
        SEGMENT = "segment", "Value of a dimension segment (e.g. SUBACCOUNT)"

    visma_connection = models.OneToOneField(
        Connection, on_delete=models.CASCADE, related_name="target_settings", limit_choices_to={"system": "visma"}
    )
    cost_center_target = models.CharField(
        max_length=16, choices=CostCenterTarget.choices, default=CostCenterTarget.DEPARTMENT,
        help_text="Where a Paychex organization (cost center) lives in Visma.",
    )
    cost_center_dimension = models.CharField(max_length=30, default=DEFAULT_COST_CENTER_DIMENSION)
    cost_center_segment = models.PositiveSmallIntegerField(default=DEFAULT_COST_CENTER_SEGMENT)
    job_title_dimension = models.CharField(max_length=30, default=DEFAULT_JOB_TITLE_DIMENSION)
    job_title_segment = models.PositiveSmallIntegerField(default=DEFAULT_JOB_TITLE_SEGMENT)
    default_department = models.CharField(
        max_length=30, blank=True,
        help_text="Department written on every employee when cost centers are segment values "
        "(Visma requires a department on create).",
    )
    default_employee_class = models.CharField(max_length=30, default="EMPSTAND")
    default_calendar = models.CharField(max_length=30, default="STANDARD")
    default_branch = models.CharField(max_length=30, default="1")
    use_default_branch_for_unmapped_locations = models.BooleanField(
        default=False, help_text="Off: a worker whose location has no branch is held for a person."
    )
    email_fallback_pattern = models.CharField(
        max_length=200, blank=True, default=DEFAULT_EMAIL_FALLBACK_PATTERN,
        help_text="Used when a worker has no e-mail in Paychex (Visma requires one). Fields: "
        "{employee_id}, {worker_id}. Empty: such a worker is held.",
    )
    create_in_visma = models.BooleanField(
        default=True,
        help_text="Create missing cost centers / job-title values in Visma and update renamed ones. "
        "Off: they wait for a person.",
    )
    catalog_refreshed_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "target settings"
        verbose_name_plural = "target settings"

    def __str__(self) -> str:
        return f"Target settings for {self.visma_connection.name}"

    def clean(self) -> None:
        if self.email_fallback_pattern:
            try:
                self.email_fallback_pattern.format(**EMAIL_PATTERN_FIELDS)
            except (KeyError, IndexError, ValueError) as exc:
                raise ValidationError(
                    {"email_fallback_pattern": f"Unknown field or bad braces ({exc}); use {{employee_id}} or {{worker_id}}."}
                ) from exc
        if self.cost_center_target == self.CostCenterTarget.SEGMENT and not self.default_department:
            raise ValidationError({"default_department": "Required when cost centers are segment values."})

    @property
    def cost_center_catalog_kind(self) -> str:
        return CatalogValue.Kind.DEPARTMENT if self.cost_center_target == self.CostCenterTarget.DEPARTMENT else CatalogValue.Kind.COST_CENTER


class CatalogValue(models.Model):
    """One value Visma holds, as last read. Never deleted: a value gone from Visma is marked inactive."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", "Department"
        COST_CENTER = "cost_center", "Cost center (segment value)"
        JOB_TITLE = "job_title", "Job title (segment value)"
        BRANCH = "branch", "Branch"

    visma_connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="catalog_values")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    value_id = models.CharField(max_length=60)
    description = models.CharField(max_length=255, blank=True)
    active = models.BooleanField(default=True)
    last_modified = models.DateTimeField(null=True, blank=True, help_text="Visma's lastModifiedDateTime")
    refreshed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["visma_connection", "kind", "value_id"]
        constraints = [
            models.UniqueConstraint(fields=["visma_connection", "kind", "value_id"], name="catalog_value_unique")
        ]

    def __str__(self) -> str:
        return f"{self.value_id} – {self.description}" if self.description else self.value_id


class MappingRow(models.Model):
    """One Paychex reference value and the Visma value it maps to (empty target = needs mapping)."""

    class Origin(models.TextChoices):
        AUTO = "auto", "Matched automatically"
        MANUAL = "manual", "Set by a person"
        CREATED = "created", "Created in Visma by the connector"

    KIND: str = ""
    CATALOG_KIND: str = ""  # fixed kind; organizations depend on the target settings

    paychex_connection = models.ForeignKey(
        Connection, on_delete=models.CASCADE, related_name="+", limit_choices_to={"system": "paychex"}
    )
    source_id = models.CharField(max_length=64, help_text="Paychex id")
    source_name = models.CharField(max_length=255, blank=True)
    source_number = models.CharField(max_length=64, blank=True)
    source_active = models.BooleanField(default=True, help_text="Still listed by Paychex at the last refresh.")
    target = models.CharField(max_length=60, blank=True, help_text="Visma value id; empty = needs mapping")
    origin = models.CharField(max_length=8, choices=Origin.choices, blank=True)
    set_by = models.CharField(max_length=150, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["paychex_connection", "target", "source_name"]

    def __str__(self) -> str:
        return f"{self.source_name or self.source_id} → {self.target or '(unmapped)'}"


class OrganizationMapping(MappingRow):
    KIND = Kind.ORGANIZATION

    class Meta(MappingRow.Meta):
        verbose_name = "organization → cost center"
        verbose_name_plural = "organizations → cost centers"
        constraints = [models.UniqueConstraint(fields=["paychex_connection", "source_id"], name="org_mapping_unique")]


class JobTitleMapping(MappingRow):
    KIND = Kind.JOB_TITLE
    CATALOG_KIND = CatalogValue.Kind.JOB_TITLE

    class Meta(MappingRow.Meta):
        verbose_name = "job title → dimension value"
        verbose_name_plural = "job titles → dimension values"
        constraints = [models.UniqueConstraint(fields=["paychex_connection", "source_id"], name="job_mapping_unique")]


class LocationMapping(MappingRow):
    KIND = Kind.LOCATION
    CATALOG_KIND = CatalogValue.Kind.BRANCH

    class Meta(MappingRow.Meta):
        verbose_name = "location → branch"
        verbose_name_plural = "locations → branches"
        constraints = [models.UniqueConstraint(fields=["paychex_connection", "source_id"], name="loc_mapping_unique")]


MAPPING_MODELS: dict[str, type[MappingRow]] = {
    Kind.ORGANIZATION: OrganizationMapping,
    Kind.JOB_TITLE: JobTitleMapping,
    Kind.LOCATION: LocationMapping,
}


class StatusMapping(models.Model):
    """Paychex statusType → Visma employee status (write vocabulary); empty = not synced."""

    class VismaStatus(models.TextChoices):
        NOT_SYNCED = "", "Not synced"
        ACTIVE = "Active", "Active"
        HOLD = "Hold", "Hold"
        HOLD_PAYMENTS = "HoldPayments", "Hold payments"
        INACTIVE = "Inactive", "Inactive"
        ONE_TIME = "OneTime", "One time"

    paychex_connection = models.ForeignKey(
        Connection, on_delete=models.CASCADE, related_name="+", limit_choices_to={"system": "paychex"}
    )
    status_type = models.CharField(max_length=32, help_text="Paychex currentStatus.statusType, e.g. ACTIVE")
    visma_status = models.CharField(max_length=16, choices=VismaStatus.choices, blank=True)
    note = models.CharField(max_length=255, blank=True)
    set_by = models.CharField(max_length=150, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["paychex_connection", "status_type"]
        constraints = [
            models.UniqueConstraint(fields=["paychex_connection", "status_type"], name="status_mapping_unique")
        ]

    def __str__(self) -> str:
        return f"{self.status_type} → {self.visma_status or 'not synced'}"

    def save(self, *args, **kwargs) -> None:
        self.status_type = self.status_type.strip().upper()
        super().save(*args, **kwargs)


# Defaults created on first use. Why each one: see the README ("Status mapping").
DEFAULT_STATUS_MAPPING: dict[str, tuple[str, str]] = {
    "ACTIVE": ("Active", "Working."),
    "INACTIVE": ("Hold", "On leave: kept in Visma but held (Visma shows OnHold)."),
    "TERMINATED": ("Inactive", "Left the company."),
    "TRANSFERRED": ("Active", "Still employed; the move itself arrives as a new organization/location."),
    "PENDING": ("", "Not hired yet: synced once the hire takes effect."),
    "IN_PROGRESS": ("", "Still being entered in Paychex: not synced."),
}
