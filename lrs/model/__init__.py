"""The xAPI data model: validation, versions, agents, statement equivalence."""
