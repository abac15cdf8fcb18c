"""The words a person agrees to when they subscribe, as published in the consent ledger.

A published version is never edited (the ledger keeps the words as proof, Art. 7(1)): to change
the wording, add a new version here and point CURRENT_VERSION at it; the migration that
publishes it and `services.publish_wording` both read this module.
"""

from __future__ import annotations

CURRENT_VERSION = "2026-12"

WORDINGS: dict[str, dict[str, str]] = {
    "2026-12": {
        "da": (
            "Ja tak, send mig nyhedsbrevet på e-mail: nyheder om kurser og tilbud, nogle få "
            "gange om året. Jeg bekræfter tilmeldingen via et link i min indbakke og kan til "
            "enhver tid afmelde mig igen med ét klik."
        ),
        "de": (
            "Ja, schickt mir den Newsletter per E-Mail: Neuigkeiten zu Kursen und Angeboten, "
            "einige Male im Jahr. Ich bestätige die Anmeldung über einen Link in meinem "
            "Posteingang und kann den Newsletter jederzeit mit einem Klick abbestellen."
        ),
        "en": (
            "Yes, send me the newsletter by email: news about courses and offers, a few times "
            "a year. I confirm the sign-up through a link in my inbox and can unsubscribe at "
            "any time with one click."
        ),
    },
}


def current_texts() -> dict[str, str]:
    return WORDINGS[CURRENT_VERSION]
