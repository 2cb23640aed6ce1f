import json, pytest
pytestmark = pytest.mark.urls("tests.urls_input")
@pytest.mark.django_db
def test_probe(client, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "EXCEPTION_HANDLER": "drf_hardening.exceptions.exception_handler"}
    body = {"name": "Core\u202eteam", "leader": {"username": "ada", "is_superuser": True}, "members": [], "owner": 2}
    r = client.post("/teams/", body, content_type="application/json")
    print(r.status_code); print(json.dumps(r.json(), indent=2, ensure_ascii=False))
    body = {"name": "Core\u202eteam", "leader": {"username": "ada"}, "members": [{"username": 5}]}
    r = client.post("/teams/", body, content_type="application/json")
    print(r.status_code); print(json.dumps(r.json(), indent=2, ensure_ascii=False))
