"""What the hub's SCIM server announces and how it departs from scim2-server's RFC-strict defaults.

The schemas (User with the enterprise extension, Group) are scim2-server's RFC 7643 defaults; the
service provider configuration is ours (bearer tokens, no password changes, bulk and filter limits);
the policy tolerates what Microsoft Entra ID sends (identity.md §1, §3 rows 11 and 15); PATCH
answers 200 with the resource (§3 row 17).
"""

from __future__ import annotations

from functools import lru_cache
from http import HTTPStatus
from typing import Any, cast

from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    Context,
    ETag,
    External,
    Filter,
    Patch,
    Reference,
    Resource,
    ResourceType,
    ResponseParameters,
    ScimPolicy,
    ScimProvider,
    ServiceProviderConfig,
    Sort,
)
from scim2_server.responses import ScimResponse
from scim2_server.service import ScimService
from scim2_server.utils import load_default_resource_types, load_default_schemas

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
# RFC 7644 §3.4.2.4: the most resources one page returns, whatever `count` asks for.
MAX_RESULTS = 1000
# RFC 7644 §3.7.4: the bulk limits we announce (and scim2-server enforces with 413).
BULK_MAX_OPERATIONS = 1000
BULK_MAX_PAYLOAD = 1_048_576

BEARER = AuthenticationScheme(
    type=AuthenticationScheme.Type.oauthbearertoken, name="OAuth Bearer Token", primary=True,
    description="A per-organisation SCIM token issued by an administrator of the organisation",
    spec_uri=Reference[External]("https://www.rfc-editor.org/rfc/rfc6750"),
)

# Entra ID removes group members with `{"op":"Remove","path":"members","value":[{"value":id}]}` and adds
# through filters that match nothing yet (`phoneNumbers[type eq "mobile"].value`); RFC-strict
# defaults refuse both (identity.md §3 rows 11 and 15).
ENTRA_TOLERANT = ScimPolicy(remove_value_as_filter=ScimPolicy.RemoveValue.apply,
                            unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create)


def service_provider_config() -> ServiceProviderConfig:
    return ServiceProviderConfig(
        documentation_uri=None,
        patch=Patch(supported=True),
        bulk=Bulk(supported=True, max_operations=BULK_MAX_OPERATIONS, max_payload_size=BULK_MAX_PAYLOAD),
        filter=Filter(supported=True, max_results=MAX_RESULTS),
        # Passwords are never provisioned: people sign in with SSO or a password an admin sets.
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=True),
        etag=ETag(supported=True),
        authentication_schemes=[BEARER],
    )


@lru_cache(maxsize=1)
def provider() -> ScimProvider:
    """The one description of the service (models are built once; they are expensive)."""
    return ScimProvider.from_discovery(load_default_schemas().values(), load_default_resource_types().values(),
                                       config=service_provider_config(), policy=ENTRA_TOLERANT)


def resource_type(name: str) -> ResourceType:
    return next(rt for rt in provider().resource_types if rt.id == name)


def model_of(name: str) -> type[Resource[Any]]:
    return cast(type[Resource[Any]], provider().model_for(resource_type(name)))


class HubScimService(ScimService):
    """scim2-server's protocol rules, with PATCH answering 200 and the resource."""

    def patch_response(self, base_url: str, resource: Resource[Any],
                       response_parameters: ResponseParameters[Any]) -> ScimResponse:
        # RFC 7644 §3.5.2: "the server SHALL return either a 200 OK response code and the entire
        # resource ... or a 204 No Content". Okta's guide shows 200 + body; Entra accepts both.
        return self.resource_response(self.publish(base_url, resource), Context.RESOURCE_PATCH_RESPONSE,
                                       response_parameters, HTTPStatus.OK)


@lru_cache(maxsize=1)
def service() -> HubScimService:
    # No cursor pagination is announced, so the service needs no secret.
    return HubScimService(provider())
