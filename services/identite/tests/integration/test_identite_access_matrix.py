"""Role × endpoint matrix over every endpoint of identite (servicekit.testing_auth)."""

from servicekit.testing_auth import assert_access_matrix


async def test_identite_access_matrix(identite):
    accesses = await assert_access_matrix(identite.client._transport.app)  # type: ignore[attr-defined]
    public = {f"{a.method} {a.path}" for a in accesses if a.action is None}
    assert public == {
        "POST /api/identite/token",
        "POST /api/identite/deconnexion",
        "GET /api/identite/jwks",
        "POST /api/identite/demandeurs",
        "POST /api/identite/activation",
        "POST /api/identite/mot-de-passe/oubli",
        "POST /api/identite/mot-de-passe/reinitialisation",
    }
