"""Stage 1, the pipeline: from the book's MyST sources to merged pages.

Parse a page (`source`), hold the editions to the same code (`code_parity`),
check figure files and citation keys (`references`), split a page into one
notebook per framework (`split`), execute those notebooks with a cache
(`execute`; `client` drives the kernel), keep full-profile results
(`records`), and merge the executed outputs back into each edition's pages
(`merge`). Imports only the environment.
"""
