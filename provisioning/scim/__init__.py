"""The per-tenant SCIM 2.0 server (RFC 7643/7644): scim2-server over the people tables."""
