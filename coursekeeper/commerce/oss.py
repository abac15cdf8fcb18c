"""The EUR 10,000 One-Stop-Shop threshold (VAT Directive Art. 59c), computed from the sales.

The rule. A seller established in one EU country may charge its own country's VAT on
electronically supplied services to consumers in other EU countries only while the total of
those sales, without VAT, has not exceeded EUR 10,000 in the previous calendar year and has not
exceeded it so far in the current one. The sale that takes the current year past the threshold,
and every sale after it that year (and the whole next year), carries the consumer's country's
VAT (Art. 59c(2)). The seller may instead opt for the consumer's country's VAT from the first
euro; the option binds it for at least two calendar years (Art. 59c(3)).

What is counted. The net amounts of the invoices issued in the calendar year (in the seller's
country's time zone) under the two schemes of such sales, `oss` and `home`, credit notes
included (they are negative: a refunded sale was not a supply), except invoices of events:
neither a streamed event (Art. 54(2)(b)) nor admission to one (Art. 53, 54(1)) is among the
services Art. 59c covers. Checkouts still open are counted too, as if paid: two buyers at the
checkout at once then cannot both be priced below a threshold that only one of them stays
under. Counting a sale that is never paid errs towards the buyer's country's VAT, which the
law always allows, never the other way.

Money. Amounts in another currency are converted at the fixed rate of the seller country's
rule pack (`privacy.rules.COUNTRY_RULES`, data, not a setting): Art. 59c counts a national
currency at one fixed rate, not at each day's. Sales made outside this platform are not known
here; a seller who has them opts for the buyer's country's VAT, or keeps the figures itself.

Reads only, except `choose_destination_vat`; decided per sale by `pricing.quote`.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.admin.models import CHANGE
from django.db import transaction
from django.db.models import F, Sum
from django.utils import formats, timezone

from coursekeeper.commerce.errors import CommerceError, DetailedCommerceError
from coursekeeper.commerce.models import Invoice, Order, Product, ShopSettings, VatScheme
from coursekeeper.commerce.pricing import seller_country
from coursekeeper.privacy.access.roles import CONFIGURE_SHOP, can
from coursekeeper.privacy.access.services import record_staff_change
from coursekeeper.privacy.rules import euro_rate, time_zone_of
from coursekeeper.security.services import pseudonym

logger = logging.getLogger(__name__)

THRESHOLD_EUR = Decimal("10000")
# The schemes of sales to consumers in other EU countries: the buyer's VAT, or the seller's.
CROSS_BORDER_CONSUMER = (VatScheme.OSS, VatScheme.HOME_BELOW_THRESHOLD)
# Art. 59c(3): the option covers at least two calendar years.
OPTION_BINDS_FOR_YEARS = 2
CENT = Decimal("0.01")


@dataclass(frozen=True)
class ThresholdFigures:
    """Where the shop stands against the threshold now, in euro."""

    year: int
    previous_year_eur: Decimal
    current_year_eur: Decimal  # invoiced this year, plus open checkouts
    open_checkouts_eur: Decimal  # the part of `current_year_eur` not paid yet
    destination_chosen_at: dt.datetime | None
    option_binds_until: dt.date | None  # the first day the option may be ended
    threshold_eur: Decimal = THRESHOLD_EUR

    @property
    def previous_year_exceeded(self) -> bool:
        return self.previous_year_eur > self.threshold_eur

    @property
    def current_year_exceeded(self) -> bool:
        return self.current_year_eur > self.threshold_eur

    @property
    def home_vat_applies(self) -> bool:
        """Whether the next sale would carry the seller's VAT, were it of no amount."""
        return not (
            self.destination_chosen_at or self.previous_year_exceeded or self.current_year_exceeded
        )

    @property
    def left_eur(self) -> Decimal:
        """What can still be sold this year with the seller's own VAT."""
        if not self.home_vat_applies:
            return Decimal("0.00")
        return (self.threshold_eur - self.current_year_eur).quantize(CENT)

    def cents(self) -> dict[str, int]:
        """Return the figures in euro cents, as the `money` filter writes amounts."""
        return {
            name: int(getattr(self, f"{name}_eur") * 100)
            for name in ("previous_year", "current_year", "open_checkouts", "left", "threshold")
        }

    def allows_home_vat_for(self, sale_eur: Decimal) -> bool:
        """Whether a sale of `sale_eur` (net) may carry the seller's own VAT (Art. 59c(1)(c))."""
        return self.home_vat_applies and self.current_year_eur + sale_eur <= self.threshold_eur


def to_euro(amount_minor: int, currency: str) -> Decimal:
    """Return an amount in minor units as euro, at the rule pack's fixed rate."""
    return Decimal(amount_minor) / 100 / euro_rate(currency)


def _seller_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(time_zone_of(seller_country()))


def _year_start(year: int, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime(year, 1, 1, tzinfo=zone)


def _sum_euro(rows) -> Decimal:
    return sum((to_euro(row["net"] or 0, row["currency"]) for row in rows), Decimal("0"))


def _invoiced_eur(start: dt.datetime, end: dt.datetime) -> Decimal:
    invoices = (
        Invoice.objects.filter(
            issued_at__gte=start, issued_at__lt=end, vat_scheme__in=CROSS_BORDER_CONSUMER
        )
        .exclude(order__lines__product__kind=Product.Kind.EVENT)
        .values("currency")
        .annotate(net=Sum("net_minor"))
    )
    return _sum_euro(invoices)


def _open_checkouts_eur(start: dt.datetime, end: dt.datetime, now: dt.datetime) -> Decimal:
    orders = (
        Order.objects.filter(
            status=Order.Status.PENDING,
            expires_at__gt=now,
            created_at__gte=start,
            created_at__lt=end,
            vat_scheme__in=CROSS_BORDER_CONSUMER,
        )
        .exclude(lines__product__kind=Product.Kind.EVENT)
        .values("currency")
        .annotate(net=Sum(F("subtotal_minor") - F("discount_minor")))
    )
    return _sum_euro(orders)


def threshold_figures(*, now: dt.datetime | None = None) -> ThresholdFigures:
    """Return this year's and last year's cross-border consumer sales and the shop's option."""
    now = now or timezone.now()
    zone = _seller_zone()
    year = now.astimezone(zone).year
    this_year, next_year = _year_start(year, zone), _year_start(year + 1, zone)
    open_checkouts = _open_checkouts_eur(this_year, next_year, now)
    chosen_at = ShopSettings.current().destination_vat_chosen_at
    return ThresholdFigures(
        year=year,
        previous_year_eur=_invoiced_eur(_year_start(year - 1, zone), this_year).quantize(CENT),
        current_year_eur=(_invoiced_eur(this_year, next_year) + open_checkouts).quantize(CENT),
        open_checkouts_eur=open_checkouts.quantize(CENT),
        destination_chosen_at=chosen_at,
        option_binds_until=_option_binds_until(chosen_at, zone) if chosen_at else None,
    )


def _option_binds_until(chosen_at: dt.datetime, zone: zoneinfo.ZoneInfo) -> dt.date:
    """Return the first day the option may be ended: it covers the year it was chosen in and
    the next (Art. 59c(3))."""
    return dt.date(chosen_at.astimezone(zone).year + OPTION_BINDS_FOR_YEARS, 1, 1)


def home_vat_allowed(*, net_minor: int, currency: str, now: dt.datetime | None = None) -> bool:
    """Whether a sale of `net_minor` to a consumer in another EU country carries our own VAT."""
    return threshold_figures(now=now).allows_home_vat_for(to_euro(net_minor, currency))


@transaction.atomic
def choose_destination_vat(
    *, acting_user, chosen: bool, now: dt.datetime | None = None
) -> ShopSettings:
    """Opt for the buyer's country's VAT from the first euro, or end that option.

    Ending it is refused, changing nothing, before the two calendar years it binds for have
    passed (Art. 59c(3)). Choosing it again, or ending it again, changes nothing.
    """
    if not can(acting_user, CONFIGURE_SHOP):
        raise CommerceError("not_allowed")
    now = now or timezone.now()
    shop = ShopSettings.objects.select_for_update().get(pk=ShopSettings.current().pk)
    if chosen and shop.destination_vat_chosen_at is None:
        shop.destination_vat_chosen_at = now
    elif not chosen and shop.destination_vat_chosen_at is not None:
        zone = _seller_zone()
        binds_until = _option_binds_until(shop.destination_vat_chosen_at, zone)
        if now.astimezone(zone).date() < binds_until:
            raise DetailedCommerceError(
                "destination_vat_binding", until=formats.date_format(binds_until, "DATE_FORMAT")
            )
        shop.destination_vat_chosen_at = None
    else:
        return shop
    shop.save(update_fields=["destination_vat_chosen_at", "updated_at"])
    record_staff_change(
        acting_user=acting_user,
        obj=shop,
        action=CHANGE,
        message="destination_vat_chosen" if chosen else "destination_vat_ended",
    )
    logger.info(
        "destination VAT option %s by=%s",
        "chosen" if chosen else "ended",
        pseudonym(acting_user.pk),
    )
    return shop
