"""A rebuild killed (SIGKILL) in the middle resumes from its last committed offset:
`toit-observatoire reconstruire` in a real process, killed, run again; the models
equal those of an uninterrupted rebuild and no event was applied twice."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
from pathlib import Path

import pytest
from toit_observatoire.adapters.archive import ArchiveTable
from toit_observatoire.bootstrap import TERRITOIRE
from toit_observatoire.generateur import enveloppe, evenements
from toit_observatoire.service import service
from toit_observatoire.service_layer import modeles

from servicekit.db import Database
from servicekit.messaging.transport import Delivery
from servicekit.migrations import upgrade

from .observatoire_harness import photo_db

pytestmark = pytest.mark.integration


async def _cli(data_dir: Path, *args: str) -> asyncio.subprocess.Process:
    command = shutil.which("toit-observatoire") or str(
        Path(sys.executable).parent / "toit-observatoire"
    )
    env = {
        **os.environ,
        "TOIT_BUS": "memory",
        "TOIT_DATA_DIR": str(data_dir),
        "TOIT_OBSERVATOIRE_PROJECTION_BATCH": "50",
        "TOIT_LOG_LEVEL": "WARNING",
    }
    env.pop("TOIT_DATABASE_URL", None)
    env.pop("TOIT_DATABASE_URL_OBSERVATOIRE", None)
    return await asyncio.create_subprocess_exec(
        command, "reconstruire", *args, env=env, stderr=asyncio.subprocess.PIPE
    )


async def test_rebuild_killed_resumes_from_last_committed_offset(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'observatoire.db'}")
    await upgrade(db, service.migrations)
    archive = ArchiveTable(db)
    deliveries = []
    for event, at in evenements(250, seed=13):
        envelope = enveloppe(event, at)
        deliveries.append(Delivery(envelope.id, envelope.type, envelope.to_json_bytes(), {}))
    for start in range(0, len(deliveries), 500):
        await archive.archiver(deliveries[start : start + 500])
    total = len(deliveries)
    await modeles.reconstruire(db, archive, TERRITOIRE, limite=500, reprendre=False)
    uninterrupted = await photo_db(db)

    process = await _cli(tmp_path, "--depuis-zero")
    async with asyncio.timeout(120):
        while True:
            etat = await modeles.etat(db)
            if etat is not None and etat.statut == modeles.RECONSTRUCTION and etat.position > 60:
                break
            await asyncio.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    await process.wait()
    killed = await modeles.etat(db)
    assert killed is not None and killed.statut == modeles.RECONSTRUCTION
    assert 0 < killed.position < total, "killed in the middle"
    assert killed.evenements == killed.position, "position and applied events committed together"

    process = await _cli(tmp_path)
    _, stderr = await process.communicate()
    assert process.returncode == 0, stderr.decode()[-2000:]
    text = stderr.decode()
    assert f"{total - killed.evenements} événements appliqués" in text, text[-500:]
    done = await modeles.etat(db)
    assert done is not None and done.statut == modeles.A_JOUR and done.evenements == total
    assert await photo_db(db) == uninterrupted
    await db.dispose()
