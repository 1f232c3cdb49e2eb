import pytest
from django.utils import timezone

from connector.models import Connection


def make_connection(name: str, system: str, ok: bool | None) -> Connection:
    return Connection.objects.create(
        name=name, system=system, base_url="https://api.example.com", token_url="https://auth.example.com/token",
        client_id="id", last_check_ok=ok, last_check_at=timezone.now() if ok is not None else None,
    )


@pytest.mark.django_db
def test_healthz_is_200_with_database_queue_and_connections(client):
    make_connection("Paychex", "paychex", True)
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] and body["queue"]["ok"]
    assert [c["name"] for c in body["connections"]] == ["Paychex"]


@pytest.mark.django_db
def test_healthz_is_503_when_a_connection_failed_its_last_check(client):
    make_connection("Visma", "visma", False)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unhealthy"


@pytest.mark.django_db
def test_healthz_is_503_when_the_queue_is_unreachable(client, monkeypatch):
    import django_q.brokers

    def broken_broker():
        raise ConnectionError("down")

    monkeypatch.setattr(django_q.brokers, "get_broker", broken_broker)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["queue"] == {"ok": False, "error": "ConnectionError"}
