"""The partner registry: organisations, contacts, Wikimedians in Residence."""
