"""The four agents (SEO, Email, Brand, Strategy): configs, tools, the LangGraph graph, checkpoints, conversations."""
