"""The hostile-input corpus (tests/system/hostile/), split along what is sent:

- corpus.py: the payloads, reading forms and judging answers (shared);
- conftest.py: the world the crawl runs in (the authorization matrix's, and more);
- test_forms.py: every field of every form any person sees;
- test_query_parameters.py: every query parameter, path segment and header;
- test_stored_values.py: stored values come back escaped.

A corpus of hostile inputs through every form field and every query parameter.

Script injection in every context, SQL metacharacters, template and wikitext
syntax, bidi controls, NUL bytes and other control characters, 100 kB strings,
huge numbers and invalid UTF-8. The forms are found by crawling: every person
of the authorization matrix (tests/test_authorization.py) opens every page; each
<form method=post> is parsed and sent again with one field at a time replaced by
each payload (the other fields as rendered, empty ones filled with something
valid). The query parameters are the ones the app reads (found in app/'s source),
sent to every GET route (the JSON API and the Atom feed too), with hostile path
segments and headers as well.

Bounded: a compact corpus; text fields first get the 100 kB string and every
text payload in one, and the single payloads only if that one was refused;
choice and hidden fields get a handful; a form built from the same form class as
another (email intake) is sent only its own fields.

Every answer must be below 500; a 4xx must carry a message; nothing of a payload
may come back unescaped (no raw tag, no javascript: link, no evaluated template).
A value that is stored must come back escaped where it is shown (HTML), exactly
(JSON) and well-formed (Atom).
"""
