"""The per-tenant SAML 2.0 service provider (pysaml2): keys, IdP metadata, mapping, the SP client and its routes."""
