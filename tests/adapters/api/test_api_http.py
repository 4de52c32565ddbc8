"""HTTP-level behaviour of the API server: per-client rate limit kept in the database (shared by two servers on one
file), CORS only for configured origins, the OpenAPI document and the offline docs pages, JSON for unknown paths."""

from __future__ import annotations

import re

from api_harness import ApiServer


def test_rate_limit_is_per_client_with_retry_after(start_api) -> None:
    api = start_api(api_rate_burst=3, api_rate_refill_s=60)
    with api.client() as c:
        codes = [c.get("/api/v1/songs/", params={"limit": 1}).status_code for _ in range(5)]
        assert codes == [200, 200, 200, 429, 429]
        refused = c.get("/api/v1/songs/", params={"limit": 1})
        assert refused.json()["error"] == "rate_limited" and "Slow down" in refused.json()["detail"]
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        # another client (uvicorn trusts X-Forwarded-For from 127.0.0.1 only) has its own bucket
        other = c.get("/api/v1/songs/", params={"limit": 1}, headers={"X-Forwarded-For": "203.0.113.7"})
        assert other.status_code == 200
        # a refused write is refused before anything happens
        assert c.delete("/api/v1/songs/0000000000000000000000").status_code == 429
        # the docs are not counted
        assert c.get("/api/v1/openapi.json").status_code == 200


def test_rate_limit_state_is_shared_by_servers_on_one_database(start_api) -> None:
    first = start_api(api_rate_burst=2, api_rate_refill_s=60)
    second = start_api(db=first.db, api_rate_burst=2, api_rate_refill_s=60)
    with first.client() as a, second.client() as b:
        assert a.get("/api/v1/songs/").status_code == 200
        assert b.get("/api/v1/songs/").status_code == 200
        assert a.get("/api/v1/songs/").status_code == 429
        assert b.get("/api/v1/songs/").status_code == 429


def test_no_cors_headers_by_default(shared_api: ApiServer) -> None:
    with shared_api.client() as c:
        r = c.get("/api/v1/songs/", headers={"Origin": "https://evil.example"})
        pre = c.options("/api/v1/songs/", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
    assert "access-control-allow-origin" not in r.headers
    assert "access-control-allow-origin" not in pre.headers


def test_cors_allows_only_configured_origins(start_api) -> None:
    api = start_api(api_cors_origins="https://app.example, https://admin.example")
    with api.client() as c:
        ok = c.get("/api/v1/songs/", headers={"Origin": "https://app.example"})
        pre = c.options("/api/v1/songs/", headers={
            "Origin": "https://admin.example", "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type"})
        other = c.get("/api/v1/songs/", headers={"Origin": "https://evil.example"})
    assert ok.headers["access-control-allow-origin"] == "https://app.example"
    assert "X-Total-Count" in ok.headers["access-control-expose-headers"]
    assert pre.status_code == 200 and pre.headers["access-control-allow-origin"] == "https://admin.example"
    assert "authorization" in pre.headers["access-control-allow-headers"].lower()
    assert "access-control-allow-origin" not in other.headers


def test_a_star_origin_is_never_used(start_api) -> None:
    api = start_api(api_cors_origins="*")
    with api.client() as c:
        r = c.get("/api/v1/songs/", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers


def test_openapi_document_lists_every_endpoint_with_the_original_fields(shared_api: ApiServer) -> None:
    with shared_api.client() as c:
        spec = c.get("/api/v1/openapi.json").json()
    paths = spec["paths"]
    assert set(paths) == {
        "/api/v1/songs/", "/api/v1/songs/{track_id}", "/api/v1/recommend/", "/api/v1/recommend/text",
        "/api/v1/music/audio/{track_id}", "/api/v1/songs/{track_id}/chart.png", "/api/v1/recommend/chart.png",
        "/api/v1/recommend/text/chart.png",
    }
    assert set(paths["/api/v1/songs/"]) == {"get", "post"}
    assert set(paths["/api/v1/songs/{track_id}"]) == {"get", "put", "delete"}
    assert {p["name"] for p in paths["/api/v1/songs/"]["get"]["parameters"]} == {"skip", "limit", "search"}
    create = spec["components"]["schemas"]["SongCreate"]["properties"]
    for field in ("track_id", "track_name", "track_artist", "track_popularity", "danceability", "energy", "key",
                  "loudness", "mode", "speechiness", "acousticness", "instrumentalness", "liveness", "valence",
                  "tempo", "duration_ms", "track_album_id", "track_album_name", "track_album_release_date",
                  "playlist_name", "playlist_id", "playlist_genre", "playlist_subgenre"):
        assert field in create, field
    assert set(spec["components"]["schemas"]["RecommendRequest"]["properties"]) == {"song_ids", "limit"}
    assert set(spec["components"]["schemas"]["TextRecommendRequest"]["properties"]) == {"text_input", "limit"}
    assert spec["components"]["securitySchemes"]["AdminKey"]["scheme"] == "bearer"
    assert paths["/api/v1/songs/"]["post"]["security"] == [{"AdminKey": []}]
    assert "security" not in paths["/api/v1/songs/"]["get"]


def test_docs_pages_load_their_assets_from_this_server(shared_api: ApiServer) -> None:
    with shared_api.client() as c:
        for page in ("/docs", "/redoc"):
            html = c.get(page).text
            assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', html)
            assert assets, page
            for url in assets:
                assert url.startswith("/"), f"{page} loads {url} from elsewhere"
                r = c.get(url)
                assert r.status_code == 200 and len(r.content) > 10_000, url
            assert "/api/v1/openapi.json" in html
            assert "cdn" not in html.lower() and "fonts.googleapis" not in html


def test_unknown_paths_and_methods_are_json(shared_api: ApiServer) -> None:
    with shared_api.client() as c:
        nowhere = c.get("/api/v1/nothing")
        method = c.patch("/api/v1/songs/")
    assert nowhere.status_code == 404 and nowhere.json()["error"] == "not_found"
    assert method.status_code == 405 and method.json()["error"] == "method_not_allowed"
