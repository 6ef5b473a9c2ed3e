"""People, organisation, roles, local sign-in, SCIM 2.0 provisioning and SAML 2.0 single sign-on."""
