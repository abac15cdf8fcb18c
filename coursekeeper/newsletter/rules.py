"""When an existing customer may get offers by email without having consented, per country.

The rules of the country whose market is targeted apply (Rome II Art. 6), so the pack is
picked by the recipient's country, never the provider's. A country without a pack here allows
no such offers: there, only subscribers who consented get the newsletter. A provider selling
into another country adds its pack here.

Each condition is a fact the sender must be able to show for this customer and this email:
- `address_from_sale`: the address came from a sale to this customer (`customers_from_sales`);
- `own_similar_products`: the email offers only the provider's own products, similar to what
  the customer bought (staff state it for the newsletter when they send it);
- `no_objection`: the customer has not objected (the privacy gate, which reads Objection rows);
- `objection_offered_at_collection`: when the address was collected the customer was told they
  may object at any time, free of charge (staff state it for the customers they include);
- `objection_offered_in_every_email`: every such email says so again, with a link; the
  newsletter's own footer does this for every customer email, so the fact always holds here.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

CONDITIONS = (
    "address_from_sale",
    "own_similar_products",
    "no_objection",
    "objection_offered_at_collection",
    "objection_offered_in_every_email",
)


@dataclass(frozen=True)
class OfferFacts:
    """What is true of one customer and one email, for the conditions above."""

    address_from_sale: bool
    own_similar_products: bool
    no_objection: bool
    objection_offered_at_collection: bool
    objection_offered_in_every_email: bool = True


@dataclass(frozen=True)
class CustomerOfferRule:
    """A country's exception to prior consent for offers to existing customers."""

    country: str
    law: str
    requires: tuple[str, ...]

    def missing(self, facts: OfferFacts) -> list[str]:
        """Return the conditions `facts` do not meet (empty: the offer may be sent)."""
        return [name for name in self.requires if not getattr(facts, name)]

    def allows(self, facts: OfferFacts) -> bool:
        return not self.missing(facts)


CUSTOMER_OFFER_RULES: dict[str, CustomerOfferRule] = {
    # Own similar products to a customer whose address came from a sale, if the customer could
    # say no when it was collected and can in every email; an opt-out ends it.
    "DK": CustomerOfferRule(
        country="DK",
        law="markedsføringsloven § 10, stk. 2",
        requires=CONDITIONS,
    ),
    # All of: address from a sale of goods or services, own similar goods or services, no
    # objection, and the right to object stated clearly at collection and in every email.
    "DE": CustomerOfferRule(
        country="DE",
        law="UWG § 7 Abs. 3",
        requires=CONDITIONS,
    ),
}

# A typo in a pack must fail at import, not silently count as a condition met.
for _rule in CUSTOMER_OFFER_RULES.values():
    if not set(_rule.requires) <= {f.name for f in fields(OfferFacts)}:
        raise ValueError(f"Unknown condition in the rule of {_rule.country}.")


def customer_offer_rule(country: str) -> CustomerOfferRule | None:
    """Return the recipient country's rule, or None where offers need prior consent."""
    return CUSTOMER_OFFER_RULES.get(country or "")


def may_offer_without_consent(country: str, facts: OfferFacts) -> bool:
    """Answer whether a customer in `country` may get this offer without having consented."""
    rule = customer_offer_rule(country)
    return rule is not None and rule.allows(facts)
