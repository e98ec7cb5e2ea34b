"""Acknowledgements of the AMQP consumer: as few frames as possible, never one
that would settle a delivery still being handled."""

from __future__ import annotations

from servicekit.messaging.amqp import _Acks


class FakeChannel:
    def __init__(self) -> None:
        self.frames: list[tuple[str, int, bool]] = []

    async def basic_ack(self, delivery_tag: int, multiple: bool = False) -> None:
        self.frames.append(("ack", delivery_tag, multiple))


class FakeMessage:
    def __init__(self, channel: FakeChannel, tag: int) -> None:
        self.channel = channel
        self.delivery_tag = tag

    async def ack(self) -> None:
        await self.channel.basic_ack(self.delivery_tag)

    async def nack(self, requeue: bool = True) -> None:
        self.channel.frames.append(("nack", self.delivery_tag, requeue))


def delivered(acks: _Acks, channel: FakeChannel, tags: range) -> list[FakeMessage]:
    messages = [FakeMessage(channel, t) for t in tags]
    for m in messages:
        acks.delivered(m)  # type: ignore[arg-type]
    return messages


async def test_servicekit_a_batch_of_the_oldest_deliveries_is_acked_in_one_frame() -> None:
    channel, acks = FakeChannel(), _Acks()
    first, second = delivered(acks, channel, range(1, 4)), delivered(acks, channel, range(4, 6))
    await acks.ack(first)  # type: ignore[arg-type]
    await acks.ack(second)  # type: ignore[arg-type]
    assert channel.frames == [("ack", 3, True), ("ack", 5, True)]


async def test_servicekit_a_batch_finished_before_an_older_one_is_acked_alone() -> None:
    channel, acks = FakeChannel(), _Acks()
    older, newer = delivered(acks, channel, range(1, 3)), delivered(acks, channel, range(3, 5))
    await acks.ack(newer)  # type: ignore[arg-type]
    # A multiple ack of 4 would also settle 1 and 2, whose effects are not committed.
    assert channel.frames == [("ack", 3, False), ("ack", 4, False)]
    await acks.ack(older)  # type: ignore[arg-type]
    assert channel.frames[2:] == [("ack", 2, True)]


async def test_servicekit_a_requeued_delivery_does_not_block_the_next_ones() -> None:
    channel, acks = FakeChannel(), _Acks()
    failed, *others = delivered(acks, channel, range(1, 4))
    await acks.requeue(failed)  # type: ignore[arg-type]
    await acks.ack(others)  # type: ignore[arg-type]
    assert channel.frames == [("nack", 1, True), ("ack", 3, True)]


async def test_servicekit_deliveries_of_a_closed_channel_are_left_to_the_broker() -> None:
    old, new, acks = FakeChannel(), FakeChannel(), _Acks()
    stale = delivered(acks, old, range(1, 3))
    # Reconnected: tags start again on the new channel.
    fresh = delivered(acks, new, range(1, 3))
    await acks.ack(stale)  # type: ignore[arg-type]
    await acks.ack(fresh)  # type: ignore[arg-type]
    assert old.frames == []
    assert new.frames == [("ack", 2, True)]
