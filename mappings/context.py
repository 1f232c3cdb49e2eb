"""Everything translate() needs, loaded once: the mappings, the status mapping, the target settings and
which Visma values exist and are active. A batch of workers translates without a query per worker."""
from __future__ import annotations

from dataclasses import dataclass, field

from connector.models import Connection
from mappings.models import CatalogValue, JobTitleMapping, LocationMapping, OrganizationMapping, TargetSettings
from mappings.services import ensure_status_mapping, target_settings, visma_connection_for


@dataclass(frozen=True)
class MappingContext:
    settings: TargetSettings
    organizations: dict[str, str] = field(default_factory=dict)  # Paychex organizationId → Visma value ("" = unmapped)
    job_titles: dict[str, str] = field(default_factory=dict)
    locations: dict[str, str] = field(default_factory=dict)
    # Paychex locationId → name: a worker carries only the id, and a hold reason must name the place.
    location_names: dict[str, str] = field(default_factory=dict)
    statuses: dict[str, str] = field(default_factory=dict)  # statusType → Visma status, "" = not synced
    # kind → {value_id: active}. A kind with no entry was never read from Visma and is not checked.
    catalog: dict[str, dict[str, bool]] = field(default_factory=dict)
    paychex_connection_id: int | None = None

    @classmethod
    def load(cls, paychex_connection: Connection) -> "MappingContext":
        """Read the mappings of this Paychex company and the settings/catalog of its Visma company.

        Raises mappings.services.MappingError when the Paychex connection has no Visma destination.
        Creates the default target settings and status rows when missing.
        """
        visma = visma_connection_for(paychex_connection)
        return cls(
            settings=target_settings(visma),
            organizations=_targets(OrganizationMapping, paychex_connection),
            job_titles=_targets(JobTitleMapping, paychex_connection),
            locations=_targets(LocationMapping, paychex_connection),
            location_names=dict(
                LocationMapping.objects.filter(paychex_connection=paychex_connection).values_list("source_id", "source_name")
            ),
            statuses=ensure_status_mapping(paychex_connection),
            catalog=_catalog(visma),
            paychex_connection_id=paychex_connection.pk,
        )

    def catalog_problem(self, kind: str, value_id: str) -> str:
        """Return why `value_id` cannot be used as a Visma `kind` value ("" when it can)."""
        values = self.catalog.get(kind)
        if not values:
            return ""
        label = CatalogValue.Kind(kind).label.lower()
        if value_id not in values:
            return f"Visma {label} '{value_id}' does not exist (or the catalog is out of date)"
        if not values[value_id]:
            return f"Visma {label} '{value_id}' is inactive"
        return ""


def _targets(model: type, paychex_connection: Connection) -> dict[str, str]:
    return dict(model.objects.filter(paychex_connection=paychex_connection).values_list("source_id", "target"))


def _catalog(visma: Connection) -> dict[str, dict[str, bool]]:
    catalog: dict[str, dict[str, bool]] = {}
    for kind, value_id, active in CatalogValue.objects.filter(visma_connection=visma).values_list(
        "kind", "value_id", "active"
    ):
        catalog.setdefault(kind, {})[value_id] = active
    return catalog
