"""Documents: type detection, Docling conversion, structure-aware chunking and safe URL fetching.

The pure core lives in `detect`, `convert`, `chunking` and `fetch`; storage, jobs and the library build on it.
"""
