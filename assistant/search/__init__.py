"""Search by conversation: the shopper's words read against the catalog's, the catalog
indexed for a search per turn, and a search kept over several turns."""
