"""Retrieval: query enhancement, the four parallel streams, fusion, dedupe, rerank and citations.

`ParallelRetriever` (in `retriever`) is the entry point; it is bound to one space and refuses to run without.
"""
