"""Tables and row-level helpers of the provisioning package."""
