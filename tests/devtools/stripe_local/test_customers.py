"""console/devtools/stripe_local/customers.py: create, retrieve and list customers, and pay as
one, through the official SDK."""

from __future__ import annotations

import re
import uuid

import pytest
import stripe

from tests.devtools.stripe_local.support import pay, shape_problems
from tests.stripe_local_fixture import StripeLocal


def _email() -> str:
    # The session's server is shared: a unique address keeps each test's list to itself.
    return f"customer-{uuid.uuid4().hex[:12]}@example.com"


def test_create_fills_what_stripe_fills(stripe_local: StripeLocal) -> None:
    client = stripe_local.client()
    email = _email()
    customer = client.v1.customers.create(
        params={
            "email": email,
            "name": "Ada Lovelace",
            "phone": "+33 1 23 45 67 89",
            "description": "Registrant",
            "metadata": {"registrant_id": "r-1", "dropped": ""},
        }
    )
    assert re.fullmatch(r"cus_[A-Za-z0-9]{24}", customer.id)
    assert (customer.object, customer.email, customer.name) == ("customer", email, "Ada Lovelace")
    assert (customer.phone, customer.description) == ("+33 1 23 45 67 89", "Registrant")
    # An empty metadata value sets nothing (docs.stripe.com/api/metadata).
    assert customer.metadata.to_dict() == {"registrant_id": "r-1"}
    assert (customer.balance, customer.delinquent, customer.livemode) == (0, False, False)
    assert (customer.next_invoice_sequence, customer.tax_exempt) == (1, "none")
    assert customer.preferred_locales == []
    assert re.fullmatch(r"[A-Z0-9]{8}", customer.invoice_prefix)
    assert isinstance(customer.created, int)
    assert shape_problems(customer) == []


def test_a_customer_with_nothing_set(stripe_local: StripeLocal) -> None:
    customer = stripe_local.client().v1.customers.create()
    assert (customer.email, customer.name, customer.phone, customer.description) == (
        None,
        None,
        None,
        None,
    )
    assert customer.metadata.to_dict() == {}
    assert shape_problems(customer) == []


def test_retrieve_returns_the_stored_customer(stripe_local: StripeLocal) -> None:
    client = stripe_local.client()
    created = client.v1.customers.create(params={"email": _email()})
    assert client.v1.customers.retrieve(created.id).to_dict() == created.to_dict()


def test_an_unknown_customer_is_a_404_in_stripe_shape(stripe_local: StripeLocal) -> None:
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        stripe_local.client().v1.customers.retrieve("cus_doesnotexist")
    error = excinfo.value
    assert (error.http_status, error.code, error.param) == (404, "resource_missing", "id")
    assert error.user_message == "No such customer: 'cus_doesnotexist'"


def test_another_objects_id_is_not_a_customer(stripe_local: StripeLocal) -> None:
    client = stripe_local.client()
    intent = pay(client)
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        client.v1.customers.retrieve(intent.id)
    assert excinfo.value.user_message == f"No such customer: '{intent.id}'"


def test_list_filters_by_email_newest_first(stripe_local: StripeLocal) -> None:
    client = stripe_local.client()
    email = _email()
    first = client.v1.customers.create(params={"email": email, "name": "first"})
    client.v1.customers.create(params={"email": _email()})
    second = client.v1.customers.create(params={"email": email, "name": "second"})

    listed = client.v1.customers.list(params={"email": email})
    assert [c.id for c in listed.data] == [second.id, first.id]
    assert listed.has_more is False
    assert client.v1.customers.list(params={"email": _email()}).data == []


def test_customers_live_in_the_mode_of_their_key(stripe_local: StripeLocal) -> None:
    live = stripe.StripeClient("sk_live_console", base_addresses={"api": stripe_local.base_url})
    customer = live.v1.customers.create(params={"email": _email()})
    assert customer.livemode is True
    with pytest.raises(stripe.InvalidRequestError):
        stripe_local.client().v1.customers.retrieve(customer.id)


def test_pay_as_a_customer_and_find_the_payment_by_customer(stripe_local: StripeLocal) -> None:
    client = stripe_local.client()
    customer = client.v1.customers.create(params={"email": _email()})
    intent = pay(client, customer=customer.id)
    assert intent.customer == customer.id
    charges = client.v1.charges.list(params={"customer": customer.id})
    assert [(c.id, c.customer) for c in charges.data] == [(intent.latest_charge, customer.id)]
    intents = client.v1.payment_intents.list(params={"customer": customer.id})
    assert [i.id for i in intents.data] == [intent.id]


def test_paying_as_an_unknown_customer_is_refused(stripe_local: StripeLocal) -> None:
    with pytest.raises(stripe.InvalidRequestError) as excinfo:
        pay(stripe_local.client(), customer="cus_doesnotexist")
    error = excinfo.value
    assert (error.http_status, error.code, error.param) == (404, "resource_missing", "customer")
