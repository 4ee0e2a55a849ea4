"""Documents: type detection, Docling conversion, structure-aware chunking and safe URL fetching.

The pure core lives in `detect`, `convert` (with its parts in `conversion/`), `chunking` and `fetch`; storage,
jobs and the library build on it: `repository` (SQL), `service` (policy, what the UI and the API call),
`schemas` (API shapes) and `ingest` (the durable ingestion job).
"""
