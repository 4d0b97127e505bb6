"""GraphQL object types: the case every procedure shares, and each procedure's own facts."""
