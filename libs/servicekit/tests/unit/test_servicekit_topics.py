import pytest

from servicekit.messaging.transport import topic_matches


@pytest.mark.parametrize(
    ("pattern", "key", "expected"),
    [
        ("demande.modifiee", "demande.modifiee", True),
        ("demande.modifiee", "demande.creee", False),
        ("demande.*", "demande.creee", True),
        ("demande.*", "demande.a.b", False),
        ("demande.#", "demande", True),
        ("demande.#", "demande.a.b", True),
        ("#", "anything.at.all", True),
        ("#.calculee", "cotation.calculee", True),
        ("*.calculee", "cotation.calculee", True),
        ("*.calculee", "calculee", False),
        ("a.#.z", "a.z", True),
        ("a.#.z", "a.b.c.z", True),
        ("a.#.z", "a.b.c", False),
    ],
)
def test_topic_matching_follows_amqp(pattern: str, key: str, expected: bool) -> None:
    assert topic_matches(pattern, key) is expected
