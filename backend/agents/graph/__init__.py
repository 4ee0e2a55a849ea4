"""The agent graph: retrieve → think → act → check, looping until complete, error, the iteration cap or
contamination. One module per concern: state, context (what a run is given), prompts, decisions (schema-bound
model output), spotlight (untrusted text as data), grounding, nodes, routing, graph."""
