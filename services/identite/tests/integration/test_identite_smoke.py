async def test_identite_demo_login_and_moi(identite):
    headers = await identite.headers("demo-agent-44")
    r = await identite.client.get("/api/identite/moi", headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["roles"] == ["AGENT_ENREGISTREUR"]
    r = await identite.client.get("/api/identite/jwks")
    assert r.json()["keys"]
