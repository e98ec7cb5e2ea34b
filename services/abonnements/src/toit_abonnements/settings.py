"""Settings of the abonnements service (environment variables, prefix TOIT_)."""

from __future__ import annotations

from pydantic import Field

from servicekit.settings import Settings


class AbonnementsSettings(Settings):
    # The log: how long events stay replayable from the pull feed (and the push backlog).
    abonnements_retention_jours: int = Field(default=30, ge=1, le=3650)
    # Delivery register (what, to whom, when, status) kept this long.
    abonnements_conservation_livraisons_jours: int = Field(default=365, ge=1)
    # Key signing the pull-feed cursors (production: a random value of at least 32 bytes).
    abonnements_cle_curseurs: str = "toit-developpement-cle-curseurs-a-remplacer"
    # Push delivery (webhooks, AMQP).
    abonnements_relance_initiale: float = Field(default=30.0, gt=0)
    abonnements_relance_max: float = Field(default=3600.0, gt=0)
    abonnements_abandon_heures: float = Field(default=26.0, gt=0)
    abonnements_lot: int = Field(default=200, ge=1, le=5000)
    abonnements_intervalle: float = Field(default=0.05, gt=0)
    abonnements_livreurs: int = Field(default=20, ge=1, le=200)
    # Whether this process runs the push deliverer. One may run the API (feed, management,
    # consumer) with false and the deliverer in processes of its own with true (the leases
    # share the subscriptions between deliverer processes): docker-compose.yml does.
    abonnements_livraison: bool = True
    abonnements_timeout_webhook: float = Field(default=10.0, gt=0)
    abonnements_bail_secondes: float = Field(default=120.0, gt=0)
    # During a webhook secret rotation, the old secret also signs for this long.
    abonnements_recouvrement_secret_heures: float = Field(default=24.0, ge=0)
    # RabbitMQ management API creating the partners' vhosts and users (AMQP mode), and the
    # broker address given to partners.
    abonnements_rabbitmq_api: str = "http://127.0.0.1:55674/api"
    abonnements_amqp_public: str = "amqp://127.0.0.1:55672"
    # Prefix of the partners' vhosts (tests use a random one).
    abonnements_prefixe_vhost: str = Field(default="toit-partenaire-", pattern=r"^[a-z0-9-]{1,40}$")

    # Where this installation answers (demo sandbox subscriptions point there).
    abonnements_url_publique: str = "http://127.0.0.1:8000"

    @property
    def production(self) -> bool:
        return self.mode == "production"

    def taille_pool(self) -> int:
        """Database connections one process holds at steady state: one per parallel deliverer
        (each holds one while it reads or records a subscription's batch, none while it
        sends), the consumer's workers, the outbox relay and about ten HTTP requests (the
        feed). Below this, SQLAlchemy's overflow connections are closed and reopened on every
        burst (seen in the profile of bench-abonnements)."""
        livreurs = self.abonnements_livreurs if self.abonnements_livraison else 0
        return livreurs + self.consumer_workers + 1 + 10
