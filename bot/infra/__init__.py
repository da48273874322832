"""Infrastructure every part shares: the database engine, encryption at rest and the clock."""
