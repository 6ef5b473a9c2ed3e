"""Tables and SQL for imported packages."""
