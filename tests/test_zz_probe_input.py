import pytest, json
pytestmark = pytest.mark.urls("tests.urls_input")
@pytest.fixture(autouse=True)
def json_only(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"], "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]}
def test_big(client):
    body = json.dumps({"x": "a" * 5_000_000})
    r = client.post("/echo/", body, content_type="application/json")
    print("BIG", r.status_code, r.content[:300])
def test_text(client):
    r = client.post("/echo/", "hello", content_type="text/plain")
    print("TEXT", r.status_code, r.content[:300])
def test_broken(client):
    r = client.post("/echo/", '{"title": tru', content_type="application/json")
    print("BROKEN", r.status_code, r.content[:300])
def test_deep(client):
    r = client.post("/echo/", "[" * 100000, content_type="application/json")
    print("DEEP", r.status_code, r.content[:300])
