"""The knowledge base: the store's documents and catalog, chunked, embedded and searched."""
