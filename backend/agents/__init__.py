"""The four agents (SEO, Email, Brand, Strategy): their configs, tools, prompts and the LangGraph graph."""
