"""Commands and queries over people, sessions and identity settings; one transaction each."""
