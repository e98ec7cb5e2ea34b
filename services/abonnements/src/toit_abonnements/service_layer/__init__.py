"""Use cases of the abonnements service, one module per sub-domain:

- `partenaires`: declare a partner organisation and its habilitation;
- `abonnements`: create, change, pause, resume, revoke a subscription; rotate its secret;
- `journal`: fan the internal events out into each subscription's ordered log;
- `flux`: the pull feed (cursor, replay, retention);
- `livraison`: push delivery (webhooks, AMQP) with retries, dead letters, auto-pause;
- `lettres_mortes`: list and replay dead letters;
- `retention`: delete what is past its retention.

Functions take their dependencies explicitly and raise domain exceptions only.
"""
