"""`make bench`: the Helpdesk's benchmark (see bench/README.md). Not part of `make test`."""
