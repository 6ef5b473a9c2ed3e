"""The per-tenant SP client cache: one client per (tenant, base URL), rebuilt when the settings change."""

from __future__ import annotations

import dataclasses
from typing import Iterator

import pytest

from provisioning.saml.keys import KeyPair, generate_key_pair
from provisioning.saml.sp import Endpoints, ProviderConfig, ServiceProviderCache
from tests.provisioning.saml.conftest import IdpMaterial
from tests.provisioning.saml.idp import IDP_ENTITY_ID


@pytest.fixture(scope="module")
def sp_keys() -> KeyPair:
    return generate_key_pair("cache test")


@pytest.fixture
def cache() -> Iterator[ServiceProviderCache]:
    made = ServiceProviderCache(size=2)
    yield made
    made.close()


def config(keys: KeyPair, tenant_id: int, metadata: str | None = None) -> ProviderConfig:
    return ProviderConfig(tenant_id=tenant_id, tenant_slug=f"t{tenant_id}", enabled=True,
                          idp_entity_id=IDP_ENTITY_ID if metadata else None, idp_metadata=metadata,
                          sp_certificate=keys.certificate_pem, sp_private_key=keys.private_key_pem,
                          want_response_signed=False, allow_idp_initiated=False)


def test_same_settings_reuse_the_client_and_changed_settings_rebuild_it(
        cache: ServiceProviderCache, sp_keys: KeyPair, idp_material: IdpMaterial) -> None:
    endpoints = Endpoints("https://learn.example.test", "t1")
    first = cache.get(config(sp_keys, 1, idp_material.metadata), endpoints)
    assert cache.get(config(sp_keys, 1, idp_material.metadata), endpoints) is first
    changed = dataclasses.replace(config(sp_keys, 1, idp_material.metadata), want_response_signed=True)
    rebuilt = cache.get(changed, endpoints)
    assert rebuilt is not first and rebuilt.client.want_response_signed is True
    assert first.client.want_assertions_signed is True and rebuilt.client.want_assertions_signed is True
    assert cache.get(changed, Endpoints("https://other.example.test", "t1")) is not rebuilt


def test_each_client_knows_only_its_tenants_idp(cache: ServiceProviderCache, sp_keys: KeyPair,
                                               idp_material: IdpMaterial) -> None:
    with_idp = cache.get(config(sp_keys, 1, idp_material.metadata), Endpoints("https://x", "t1"))
    without = cache.get(config(sp_keys, 2), Endpoints("https://x", "t2"))
    assert list(with_idp.client.metadata.identity_providers()) == [IDP_ENTITY_ID]
    assert list(without.client.metadata.identity_providers()) == []


def test_the_cache_is_bounded_and_forgets_a_tenant(cache: ServiceProviderCache, sp_keys: KeyPair) -> None:
    for tenant_id in (1, 2, 3):
        cache.get(config(sp_keys, tenant_id), Endpoints("https://x", f"t{tenant_id}"))
    assert len(cache) == 2
    cache.forget(3)
    assert len(cache) == 1
